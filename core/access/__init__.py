"""Access control: users, tokens, grants, the principal of a request and the scope it reads in."""
