#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| linea::fuzz::report_json(data));
