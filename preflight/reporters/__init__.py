"""Pure render functions: a Report in, text out."""
