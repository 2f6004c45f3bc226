//! Faults on demand: what goes wrong with the gateway's next answers or notification
//! deliveries, for one method or every one (`*`), for the next `n` of them or by a seeded
//! probability, independent of the scenarios ([`crate::Scenario`], which say how a method
//! answers until they are changed).
//!
//! | [`Fault`] | JSON `fault` | what happens | the request |
//! | --- | --- | --- | --- |
//! | [`Fault::HttpStatus`] | `http_status` (+ `status`, 500 to 599) | a load balancer's HTML page with that status | not processed |
//! | [`Fault::SystemError`] | `system_error` (+ optional `code`, `msg`, `sub_code`, `sub_msg`; default `20000 isp.unknow-error`) | a signed system error in the method's node | not processed |
//! | [`Fault::Slow`] | `slow` (+ `ms`) | the answer, that much later (real time: to pass the client's timeout) | processed |
//! | [`Fault::Reset`] | `reset` | the connection is closed without an answer | processed |
//! | [`Fault::Truncated`] | `truncated` | the answer's head, declaring the whole body's `Content-Length`, then half of the body, then the connection is closed | processed |
//! | [`Fault::NotifyDrop`] | `notify_drop` | a delivery of a notification is not made (the merchant sees nothing); the schedule goes on | |
//! | [`Fault::NotifyDelay`] | `notify_delay` (+ `ms`) | a delivery is made that much later, on the gateway's clock | |
//! | [`Fault::NotifyDuplicate`] | `notify_duplicate` | a delivery is made twice, the second whatever the first got | |
//! | [`Fault::NotifyOutOfOrder`] | `notify_out_of_order` | a notification's first delivery waits until the next notification's first delivery is made (or the schedule's first wait is over), so the later one arrives first | |
//!
//! "Processed" faults act after the gateway did what the request asked (a trade opened, paid,
//! refunded): the answer is lost on the way back, which is what a client's `MaybeSent` or
//! `Sent` error means, and what a query or an idempotent retry must then find. The request
//! faults apply to requests that passed the protocol's checks (signature, parameters), of
//! either protocol (v2 `gateway.do`, v3 `/v3/...`), matched by the method they call; the
//! notification faults to notifications about trades made by the matching method (`*` for
//! any), each delivery counting once.
//!
//! A rule fires for every matching call, for the next `times` matching calls, or for each
//! matching call with `probability` (drawn from a generator seeded with `seed`: the same calls
//! in the same order get the same faults); both given, it fires at most `times` times, each by
//! the draw. Rules are tried in the order they were injected; the first that fires decides,
//! and a rule used up is removed. Each fault injected is in the request log
//! ([`RecordedRequest::fault`](crate::RecordedRequest::fault), and on the console) or in the
//! notification's deliveries ([`DeliveryAttempt::fault`](crate::DeliveryAttempt::fault)).
//!
//! | Rust | HTTP | what it does |
//! | --- | --- | --- |
//! | [`LocalGateway::inject_fault`](crate::LocalGateway::inject_fault) | `POST` [`FAULTS_PATH`] `{"method": "alipay.trade.query", "fault": "http_status", "status": 503, "times": 2}` | adds a rule |
//! | [`LocalGateway::faults`](crate::LocalGateway::faults) | `GET` [`FAULTS_PATH`] | the rules in force, with what is left of their `times` |
//! | [`LocalGateway::clear_faults`](crate::LocalGateway::clear_faults) | `DELETE` [`FAULTS_PATH`] | removes every rule |
//!
//! Each HTTP call answers `{"faults": [...]}`, the rules in force; a rule that cannot apply
//! is refused with 400 (`{"sub_code": "ACQ.INVALID_PARAMETER", "sub_msg": …}`, or
//! `isv.invalid-method` for a method the gateway does not serve).

use std::time::Duration;

use serde_json::{Value, json};

/// The control endpoint of the fault rules (`POST` adds one, `GET` lists, `DELETE` clears).
pub const FAULTS_PATH: &str = "/control/faults";

/// What goes wrong (see the [module](self) for when each applies).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP status (500 to 599) with a load balancer's HTML page; the request is not processed.
    HttpStatus(u16),
    /// A signed system error under the method's node; the request is not processed.
    SystemError {
        /// `code`, for example `20000`.
        code: String,
        /// `msg`, for example `Service Currently Unavailable`.
        msg: String,
        /// `sub_code`, for example `isp.unknow-error`.
        sub_code: String,
        /// `sub_msg`, for example `系统繁忙`.
        sub_msg: String,
    },
    /// The answer, this much later (real time); the request is processed.
    Slow(Duration),
    /// The connection is closed without an answer; the request is processed.
    Reset,
    /// The head and half of the body, declared whole in `Content-Length`, then the connection
    /// is closed; the request is processed.
    Truncated,
    /// A notification delivery is not made; the schedule goes on.
    NotifyDrop,
    /// A notification delivery is made this much later, on the gateway's clock.
    NotifyDelay(Duration),
    /// A notification delivery is made twice.
    NotifyDuplicate,
    /// A notification's first delivery waits for the next notification's first delivery (at
    /// most the schedule's first wait).
    NotifyOutOfOrder,
}

impl Fault {
    /// `20000 Service Currently Unavailable` / `isp.unknow-error` / `系统繁忙`: Alipay's
    /// answer when its business system fails.
    pub fn service_unavailable() -> Self {
        let [code, msg, sub_code, sub_msg] = crate::scenario::service_unavailable_words();
        Fault::SystemError {
            code,
            msg,
            sub_code,
            sub_msg,
        }
    }

    /// Whether it applies to notification deliveries (rather than to answers).
    pub fn is_notification(&self) -> bool {
        matches!(
            self,
            Fault::NotifyDrop
                | Fault::NotifyDelay(_)
                | Fault::NotifyDuplicate
                | Fault::NotifyOutOfOrder
        )
    }

    /// How the request log and the console name it: `http_status 503`, `slow 1500ms`,
    /// `reset`, `truncated`, `system_error 20000 isp.unknow-error`, `notify_drop`, ...
    pub fn label(&self) -> String {
        match self {
            Fault::HttpStatus(status) => format!("http_status {status}"),
            Fault::SystemError { code, sub_code, .. } => format!("system_error {code} {sub_code}"),
            Fault::Slow(wait) => format!("slow {}ms", wait.as_millis()),
            Fault::Reset => "reset".into(),
            Fault::Truncated => "truncated".into(),
            Fault::NotifyDrop => "notify_drop".into(),
            Fault::NotifyDelay(wait) => format!("notify_delay {}ms", wait.as_millis()),
            Fault::NotifyDuplicate => "notify_duplicate".into(),
            Fault::NotifyOutOfOrder => "notify_out_of_order".into(),
        }
    }

    /// The scenario a fault answers with in place of the method's (a system error).
    pub(crate) fn as_scenario(&self) -> Option<crate::Scenario> {
        match self {
            Fault::SystemError {
                code,
                msg,
                sub_code,
                sub_msg,
            } => Some(crate::Scenario::GatewayError {
                code: code.clone(),
                msg: msg.clone(),
                sub_code: sub_code.clone(),
                sub_msg: sub_msg.clone(),
            }),
            _ => None,
        }
    }

    fn json(&self) -> Value {
        let name = self.label();
        let name = name.split(' ').next().unwrap_or_default().to_owned();
        let mut value = json!({ "fault": name });
        match self {
            Fault::HttpStatus(status) => value["status"] = json!(status),
            Fault::SystemError {
                code,
                msg,
                sub_code,
                sub_msg,
            } => {
                value["code"] = json!(code);
                value["msg"] = json!(msg);
                value["sub_code"] = json!(sub_code);
                value["sub_msg"] = json!(sub_msg);
            }
            Fault::Slow(wait) | Fault::NotifyDelay(wait) => {
                value["ms"] = json!(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
            }
            _ => {}
        }
        value
    }
}

/// When a [`Fault`] happens: for which method, how often.
///
/// ```
/// use alipay_gateway::faults::{Fault, FaultRule};
///
/// // The next two queries get HTTP 503.
/// let rule = FaultRule::new("alipay.trade.query", Fault::HttpStatus(503)).times(2);
/// // A third of every method's calls, reproducibly.
/// let flaky = FaultRule::new("*", Fault::Reset).probability(0.3, 42);
/// # let _ = (rule, flaky);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// The method (`alipay.trade.query`), or `*` for every method. For a notification fault:
    /// the method that made the trade notified about (`alipay.trade.page.pay`, ...).
    pub method: String,
    /// What goes wrong.
    pub fault: Fault,
    /// For the next this many matching calls (`None`: no bound).
    pub times: Option<u32>,
    /// For each matching call with this probability (0 to 1; `None`: every one).
    pub probability: Option<f64>,
    /// The seed of the draws (with `probability`).
    pub seed: u64,
}

impl FaultRule {
    /// `fault` for every call of `method` (`*`: any), until the rules are cleared.
    pub fn new(method: impl Into<String>, fault: Fault) -> Self {
        Self {
            method: method.into(),
            fault,
            times: None,
            probability: None,
            seed: 0,
        }
    }

    /// For the next `n` matching calls only.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// For each matching call with `probability` (0 to 1), drawn from a generator seeded with
    /// `seed`.
    pub fn probability(mut self, probability: f64, seed: u64) -> Self {
        self.probability = Some(probability);
        self.seed = seed;
        self
    }

    /// Why this rule cannot apply, if it cannot (the method aside).
    pub(crate) fn check(&self) -> Result<(), String> {
        match self.probability {
            Some(p) if !(0.0..=1.0).contains(&p) => {
                return Err(format!("probability {p} is not between 0 and 1"));
            }
            _ => {}
        }
        if self.times == Some(0) {
            return Err("times is 0: the rule would never fire".into());
        }
        match &self.fault {
            Fault::HttpStatus(status) if !(500..=599).contains(status) => {
                Err(format!("status {status} is not a 5xx status"))
            }
            Fault::SystemError { code, .. } if code.is_empty() => {
                Err("a system_error needs a non-empty `code`".into())
            }
            Fault::Slow(wait) | Fault::NotifyDelay(wait) if *wait > MAX_WAIT => Err(format!(
                "a wait of {} ms is more than the {} ms allowed",
                wait.as_millis(),
                MAX_WAIT.as_millis()
            )),
            _ => Ok(()),
        }
    }

    /// The rule from a control call's JSON body.
    pub(crate) fn from_json(body: &Value) -> Result<Self, String> {
        let method = match body.get("method") {
            None => "*".to_owned(),
            Some(Value::String(m)) if !m.is_empty() => m.clone(),
            Some(_) => return Err("method is not a method name nor `*`".into()),
        };
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
        let ms = || {
            body.get("ms")
                .and_then(Value::as_u64)
                .map(Duration::from_millis)
                .ok_or_else(|| "ms is missing or not a whole number of milliseconds".to_owned())
        };
        let name = text("fault").ok_or("fault is missing (http_status, system_error, slow, reset, truncated, notify_drop, notify_delay, notify_duplicate, notify_out_of_order)")?;
        let fault = match name.as_str() {
            "http_status" => Fault::HttpStatus(
                body.get("status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .ok_or("status is missing or not an HTTP status")?,
            ),
            "system_error" => {
                let [code, msg, sub_code, sub_msg] = crate::scenario::service_unavailable_words();
                Fault::SystemError {
                    code: text("code").unwrap_or(code),
                    msg: text("msg").unwrap_or(msg),
                    sub_code: text("sub_code").unwrap_or(sub_code),
                    sub_msg: text("sub_msg").unwrap_or(sub_msg),
                }
            }
            "slow" => Fault::Slow(ms()?),
            "reset" => Fault::Reset,
            "truncated" => Fault::Truncated,
            "notify_drop" => Fault::NotifyDrop,
            "notify_delay" => Fault::NotifyDelay(ms()?),
            "notify_duplicate" => Fault::NotifyDuplicate,
            "notify_out_of_order" => Fault::NotifyOutOfOrder,
            other => return Err(format!("fault `{other}` is not one the gateway plays")),
        };
        let times = match body.get("times") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or("times is not a whole number")?,
            ),
        };
        let probability = match body.get("probability") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_f64().ok_or("probability is not a number")?),
        };
        let seed = match body.get("seed") {
            None | Some(Value::Null) => 0,
            Some(v) => v.as_u64().ok_or("seed is not a whole number")?,
        };
        let rule = Self {
            method,
            fault,
            times,
            probability,
            seed,
        };
        rule.check()?;
        Ok(rule)
    }

    /// The rule as the control calls answer it.
    pub(crate) fn json(&self) -> Value {
        let mut value = self.fault.json();
        value["method"] = json!(self.method);
        value["times"] = json!(self.times);
        value["probability"] = json!(self.probability);
        value["seed"] = json!(self.seed);
        value
    }
}

/// A fault rule that cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FaultError {
    /// The method is not one the gateway serves (nor `*`).
    #[error(
        "unknown method `{0}`: the gateway serves only the methods it was given (or `*` for every one)"
    )]
    UnknownMethod(String),
    /// The rule's fields do not fit together (a status that is not 5xx, a probability
    /// outside 0 to 1, `times` 0, too many rules, ...).
    #[error("fault rule: {0}")]
    Invalid(String),
}

/// The longest `slow` or `notify_delay` wait: 10 minutes.
const MAX_WAIT: Duration = Duration::from_secs(600);

/// A rule in force: what is left of it, and its generator's state.
#[derive(Debug)]
struct Active {
    rule: FaultRule,
    state: u64,
}

/// SplitMix64: a draw in [0, 1) from `state`.
fn draw(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // 53 bits: exactly representable.
    (z >> 11) as f64 / (1_u64 << 53) as f64
}

/// The rules in force, in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    rules: Vec<Active>,
}

/// The most rules in force at once.
pub(crate) const MAX_RULES: usize = 256;

impl FaultBook {
    /// Adds `rule`; `Err` when [`MAX_RULES`] are in force already.
    pub fn add(&mut self, rule: FaultRule) -> Result<(), String> {
        if self.rules.len() >= MAX_RULES {
            return Err(format!("{MAX_RULES} fault rules are in force already"));
        }
        let state = rule.seed;
        self.rules.push(Active { rule, state });
        Ok(())
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules in force, with what is left of their `times`.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.iter().map(|a| a.rule.clone()).collect()
    }

    /// The fault for the next call of `method` (a notification's when `notification`), if a
    /// rule fires.
    pub fn take(&mut self, method: &str, notification: bool) -> Option<Fault> {
        let mut fired = None;
        for (i, active) in self.rules.iter_mut().enumerate() {
            let rule = &active.rule;
            if rule.fault.is_notification() != notification
                || (rule.method != "*" && rule.method != method)
            {
                continue;
            }
            if let Some(p) = rule.probability
                && draw(&mut active.state) >= p
            {
                continue;
            }
            fired = Some(i);
            break;
        }
        let i = fired?;
        let active = &mut self.rules[i];
        let fault = active.rule.fault.clone();
        if let Some(left) = &mut active.rule.times {
            *left -= 1;
            if *left == 0 {
                self.rules.remove(i);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_then_gone_and_methods_matched() {
        let mut book = FaultBook::default();
        book.add(FaultRule::new("a.b", Fault::Reset).times(2))
            .unwrap();
        assert_eq!(book.take("c.d", false), None);
        assert_eq!(book.take("a.b", true), None);
        assert_eq!(book.take("a.b", false), Some(Fault::Reset));
        assert_eq!(book.rules()[0].times, Some(1));
        assert_eq!(book.take("a.b", false), Some(Fault::Reset));
        assert_eq!(book.take("a.b", false), None);
        assert!(book.rules().is_empty());
        book.add(FaultRule::new("*", Fault::NotifyDrop)).unwrap();
        assert_eq!(book.take("x", true), Some(Fault::NotifyDrop));
        assert_eq!(book.take("x", true), Some(Fault::NotifyDrop));
    }

    #[test]
    fn a_seeded_probability_is_reproducible() {
        let run = |seed| {
            let mut book = FaultBook::default();
            book.add(FaultRule::new("*", Fault::Truncated).probability(0.3, seed))
                .unwrap();
            (0..200)
                .map(|_| book.take("m", false).is_some())
                .collect::<Vec<_>>()
        };
        let a = run(42);
        assert_eq!(a, run(42));
        assert_ne!(a, run(43));
        let fired = a.iter().filter(|f| **f).count();
        assert!((35..=85).contains(&fired), "{fired}");
    }

    #[test]
    fn json_rules() {
        let rule = FaultRule::from_json(&json!({
            "method": "alipay.trade.query", "fault": "http_status", "status": 503, "times": 2
        }))
        .unwrap();
        assert_eq!(
            rule,
            FaultRule::new("alipay.trade.query", Fault::HttpStatus(503)).times(2)
        );
        assert_eq!(FaultRule::from_json(&rule.json()).unwrap(), rule);
        let system = FaultRule::from_json(&json!({ "fault": "system_error" })).unwrap();
        assert_eq!(system, FaultRule::new("*", Fault::service_unavailable()));
        assert_eq!(system.fault.label(), "system_error 20000 isp.unknow-error");
        for bad in [
            json!({}),
            json!({ "fault": "http_status", "status": 200 }),
            json!({ "fault": "slow" }),
            json!({ "fault": "slow", "ms": 600_001 }),
            json!({ "fault": "reset", "probability": 2 }),
            json!({ "fault": "reset", "times": 0 }),
            json!({ "fault": "meteor" }),
            json!({ "fault": "reset", "method": 3 }),
        ] {
            assert!(FaultRule::from_json(&bad).is_err(), "{bad}");
        }
    }
}
