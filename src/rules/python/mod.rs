//! PY: Python source rules over the tree-sitter facts of one module.
