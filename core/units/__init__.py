"""Units (单位/区划): the administrative tree and departments, with a closure table for subtrees."""
