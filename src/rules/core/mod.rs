//! Engine-produced rules (PARSE001, PARSE002, LINEA001, LINEA002) have metadata only.
