//! The only module that uses `serde_yaml`, so the YAML library can be swapped in one change.
