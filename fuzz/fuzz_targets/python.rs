#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| linea::fuzz::python(data));
