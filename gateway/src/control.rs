//! The gateway's clock and fault control calls, over HTTP + JSON on the gateway's port (the
//! same operations as the Rust methods of [`LocalGateway`](crate::LocalGateway)). Like the
//! face-to-face control calls ([`crate::face_to_face`]), they take `application/json` bodies
//! only (which a web page open in the tester's browser cannot send cross-site), answer JSON,
//! and are recorded in the request log with the verdict `control call (no signature)`.
//!
//! | Rust | HTTP | what it does |
//! | --- | --- | --- |
//! | [`LocalGateway::advance_clock`](crate::LocalGateway::advance_clock) | `POST` [`CLOCK_PATH`] `{"advance_seconds": 900}` | moves the gateway's clock forward (`0` reads it) |
//! | [`LocalGateway::inject_fault`](crate::LocalGateway::inject_fault) | `POST` [`FAULTS_PATH`](crate::faults::FAULTS_PATH) `{"fault": "reset", "times": 1}` | adds a fault rule ([`crate::faults`]) |
//! | [`LocalGateway::faults`](crate::LocalGateway::faults) | `GET` [`FAULTS_PATH`](crate::faults::FAULTS_PATH) | the fault rules in force |
//! | [`LocalGateway::clear_faults`](crate::LocalGateway::clear_faults) | `DELETE` [`FAULTS_PATH`](crate::faults::FAULTS_PATH) | removes every fault rule |
//! | [`LocalGateway::reset`](crate::LocalGateway::reset) | `POST` [`RESET_PATH`] `{}` | back to a fresh gateway's state |
//!
//! `POST /control/clock` answers the clock after the move: `now` (Beijing time, as trades
//! and notifications write it), `unix_ms` and `offset_ms` (how far it was advanced in all).
//! `advance_seconds` is a number of seconds, 0 or more (fractions allowed); a missing or
//! negative one is refused with 400 (`{"sub_code": "ACQ.INVALID_PARAMETER", "sub_msg": …}`),
//! as is one that would take the clock more than 100 years ahead; a body that is not JSON
//! with 415.

//!
//! `POST /control/reset` forgets every trade, notification (deliveries in progress stop),
//! transfer, agreement, SMS code, fault rule and recorded request, puts the merchant's balance
//! back to where the gateway started it, and the clock back on the real time; the
//! configuration (methods, keys, scenarios, bounds) stays. It answers what the gateway then
//! holds: `{"trades": 0, "notifications": 0, "transfers": 0, "agreements": 0, "sms_codes": 0,
//! "faults": 0, "available_amount": "100000.00", "clock": {"now", "unix_ms", "offset_ms": 0}}`.
//! Like every request, the call itself is then recorded: the log holds it alone.

/// The control endpoint that advances (or reads) the gateway's clock.
pub const CLOCK_PATH: &str = "/control/clock";

/// The control endpoint that takes the gateway back to a fresh gateway's state.
pub const RESET_PATH: &str = "/control/reset";
