"""Splitting a pack over the rule quota or the inline size limit: what stays together (units), which part
each unit goes to (assign), the text of each part (text), the split itself (parts) and the folder it is
written to (folder)."""
