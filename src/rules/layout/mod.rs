//! LAY: Python project layout rules, one check per Python project root.
