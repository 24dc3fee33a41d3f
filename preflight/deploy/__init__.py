"""preflight deploy and status: the plan, and the steps from lint to the last account."""
