//! Any bytes as a request to the local gateway (the first line is the query string, the rest
//! the form body): parsing, decoding and checking never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (query, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&data[..0], data),
    };
    let _ = alipay_gateway::fuzzing::check_request(query, body);
});
