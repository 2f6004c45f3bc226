//! Notifications are public input: the size bounds of `verify_notify` and its twins
//! (`MAX_NOTIFY_BYTES`, `MAX_NOTIFY_FIELDS`). A body over a bound is refused before it is
//! parsed, which this binary's counting allocator shows: nothing is allocated for it. A body
//! within the bounds verifies, at the bounds exactly.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use alipay_runtime::Client;
use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::notify::{
    MAX_NOTIFY_BYTES, MAX_NOTIFY_FIELDS, NotifyError, notify_sign_content, verify_notify,
    verify_notify_pairs, verify_return, verify_return_pairs,
};
use alipay_runtime::sign::{self, SignType};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys/");

/// The system allocator, counting the bytes each thread asks for. The count is per thread,
/// so the tests running beside one another do not disturb it.
struct Counting;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to `System` unchanged; the count is a thread-local `Cell`
// with a const initialiser, whose access neither allocates nor recurses.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + layout.size()));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + new_size));
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// What `f` returns, and the bytes this thread allocated while it ran.
fn allocated_by<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATED.with(Cell::get);
    let out = f();
    (out, ALLOCATED.with(Cell::get) - before)
}

fn alipay_public() -> PublicKey {
    PublicKey::from_file(format!("{KEYS}alipay_public.pem")).unwrap()
}

fn client() -> Client {
    Client::builder()
        .gateway("http://127.0.0.1:1/gateway.do")
        .app_id("2014072300007148")
        .private_key(PrivateKey::from_file(format!("{KEYS}app_private_pkcs1.pem")).unwrap())
        .alipay_public_key(alipay_public())
        .build()
        .unwrap()
}

/// `fields` signed as Alipay signs a notification, `sign_type` and `sign` appended.
fn signed(fields: &[(String, String)]) -> Vec<(String, String)> {
    let key = PrivateKey::from_file(format!("{KEYS}alipay_private_pkcs1.pem")).unwrap();
    let content = notify_sign_content(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let bytes = Charset::Utf8.encode(&content).unwrap();
    let signature = sign::sign_base64(&key, SignType::Rsa2, &bytes).unwrap();
    let mut pairs = fields.to_vec();
    pairs.push(("sign_type".into(), "RSA2".into()));
    pairs.push(("sign".into(), signature));
    pairs
}

fn form(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A signed notification of `count` fields in all (`sign_type` and `sign` included), padded
/// with `x` characters in one field to exactly `len` bytes as a form body.
fn notification(count: usize, len: usize) -> (Vec<(String, String)>, String) {
    let mut fields: Vec<(String, String)> = vec![
        ("out_trade_no".into(), "T-1".into()),
        ("total_amount".into(), "88.88".into()),
        ("trade_status".into(), "TRADE_SUCCESS".into()),
    ];
    while fields.len() + 3 < count {
        fields.push((format!("f{}", fields.len()), "1".into()));
    }
    fields.push(("padding".into(), String::new()));
    // The signature's form-encoded length varies (`+`, `/` and `=` take three bytes each):
    // pad to a little under `len`, then fill with `&`, empty parts that are no fields.
    let at = fields.len() - 1;
    let unpadded = form(&signed(&fields)).len();
    fields[at].1 = "x".repeat(len.saturating_sub(unpadded + 64));
    let (pairs, mut body) = loop {
        let pairs = signed(&fields);
        let body = form(&pairs);
        if body.len() <= len {
            break (pairs, body);
        }
        let shorter = fields[at].1.len().saturating_sub(16);
        fields[at].1.truncate(shorter);
    };
    body.extend(std::iter::repeat_n('&', len - body.len()));
    assert_eq!((pairs.len(), body.len()), (count, len));
    (pairs, body)
}

#[test]
fn a_notification_at_both_bounds_verifies() {
    let (pairs, body) = notification(MAX_NOTIFY_FIELDS, MAX_NOTIFY_BYTES);
    let verified = verify_notify(body.as_bytes(), &alipay_public()).unwrap();
    assert_eq!(verified.get("out_trade_no"), Some("T-1"));
    assert!(client().verify_notify(body.as_bytes()).is_ok());
    assert!(verify_return(&body, &alipay_public()).is_ok());
    assert!(verify_notify_pairs(&pairs, &alipay_public()).is_ok());
}

/// `body` is refused with `error` by `verify_notify`, `Client::verify_notify` and
/// `verify_return`.
fn assert_body_refused(body: &str, error: &NotifyError) {
    assert_eq!(
        verify_notify(body.as_bytes(), &alipay_public()).as_ref(),
        Err(error)
    );
    assert_eq!(client().verify_notify(body.as_bytes()).as_ref(), Err(error));
    assert_eq!(&verify_return(body, &alipay_public()).unwrap_err(), error);
}

#[test]
fn a_body_one_byte_over_is_refused_naming_the_limit() {
    let (pairs, body) = notification(20, MAX_NOTIFY_BYTES + 1);
    let too_large = NotifyError::TooLarge {
        len: MAX_NOTIFY_BYTES + 1,
        limit: MAX_NOTIFY_BYTES,
    };
    assert_body_refused(&body, &too_large);
    assert_eq!(
        client().verify_return(&format!("?{body}")).unwrap_err(),
        too_large
    );
    // Decoded pairs are measured as `key=value&...`, without percent-encoding.
    let mut pairs = pairs;
    pairs.push(("more".into(), "x".repeat(MAX_NOTIFY_BYTES)));
    let len = pairs
        .iter()
        .map(|(k, v)| k.len() + v.len() + 2)
        .sum::<usize>()
        - 1;
    let too_large_pairs = NotifyError::TooLarge {
        len,
        limit: MAX_NOTIFY_BYTES,
    };
    assert_eq!(
        verify_notify_pairs(&pairs, &alipay_public()),
        Err(too_large_pairs.clone())
    );
    assert_eq!(
        verify_return_pairs(&pairs, &alipay_public()).unwrap_err(),
        too_large_pairs
    );
    assert!(too_large.to_string().contains("65536 bytes"), "{too_large}");
}

#[test]
fn one_field_too_many_is_refused_naming_the_limit() {
    let (pairs, body) = notification(MAX_NOTIFY_FIELDS + 1, 8 * 1024);
    let too_many = NotifyError::TooManyFields {
        limit: MAX_NOTIFY_FIELDS,
    };
    assert_body_refused(&body, &too_many);
    assert_eq!(
        verify_notify_pairs(&pairs, &alipay_public()),
        Err(too_many.clone())
    );
    // Empty parts (`&&`) are no fields, as the form decoder skips them.
    let (_, body) = notification(MAX_NOTIFY_FIELDS, 8 * 1024);
    let body = body.replace('&', "&&");
    assert!(verify_notify(body.as_bytes(), &alipay_public()).is_ok());
}

#[test]
fn a_huge_body_is_refused_without_allocating_anything() {
    // 8 MiB of two million pairs (the probe's 87 MB body of 8 million cost 1.43 GB to
    // parse), over the byte bound; then 32,768 fields of `a&`, exactly at the byte bound and
    // over the field bound.
    let huge = "a=1&".repeat(2 * 1024 * 1024);
    let many = "a&".repeat(MAX_NOTIFY_BYTES / 2);
    let key = alipay_public();
    let client = client();
    for body in [&huge, &many] {
        let (result, bytes) = allocated_by(|| verify_notify(body.as_bytes(), &key));
        assert!(result.is_err());
        assert_eq!(bytes, 0, "verify_notify allocated for a refused body");
        let (result, bytes) = allocated_by(|| client.verify_notify(body.as_bytes()));
        assert!(result.is_err());
        assert_eq!(
            bytes, 0,
            "Client::verify_notify allocated for a refused body"
        );
        let (result, bytes) = allocated_by(|| verify_return(body, &key));
        assert!(result.is_err());
        assert_eq!(bytes, 0, "verify_return allocated for a refused query");
    }
    let pairs = vec![("a".to_owned(), "1".to_owned()); MAX_NOTIFY_FIELDS + 1];
    let (result, bytes) = allocated_by(|| verify_notify_pairs(&pairs, &key));
    assert!(result.is_err());
    assert_eq!(bytes, 0, "verify_notify_pairs copied refused pairs");
}

#[test]
fn verifying_a_body_at_the_bounds_costs_a_small_multiple_of_it() {
    // The most fields in the most bytes a body may hold, each field a separate pair of
    // strings: what parsing costs, counted (not timed).
    let (_, body) = notification(MAX_NOTIFY_FIELDS, MAX_NOTIFY_BYTES);
    let key = alipay_public();
    let (result, bytes) = allocated_by(|| verify_notify(body.as_bytes(), &key));
    assert!(result.is_ok());
    assert!(
        bytes < 16 * MAX_NOTIFY_BYTES,
        "verifying {} bytes allocated {bytes} bytes in all",
        body.len()
    );
}
