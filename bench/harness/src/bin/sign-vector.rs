//! Our side of the Node SDK comparison: signs one vector of `sign.json` N times.
//!
//! `sign-vector <sign.json> <vector name> <iterations>` prints one JSON line with the median
//! per-call time of (a) building the sign content from the parameters and signing it (what the
//! Node SDK's `util.sign` does) and (b) a complete `Client::prepare` of the same request
//! (validation, biz_content, sign content, signature, percent-encoded URL and body), plus both
//! signatures, so bench/run.sh can check they equal Node's byte for byte.

use std::error::Error;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant, UNIX_EPOCH};

use alipay_runtime::sign::sign_base64;
use alipay_runtime::sign_content::sign_content;
use alipay_runtime::validate::ValidationError;
use alipay_runtime::{
    Charset, Client, Method, PrivateKey, PublicKey, RequestParts, SignType, UndocumentedBizError,
};

/// The vector this program knows how to replay through `Client::prepare`.
const METHOD: &str = "alipay.ebpp.pdeduct.sign.validate";
/// 2014-07-24 03:07:50 Beijing time, the vector's timestamp.
const VECTOR_UNIX_SECONDS: u64 = 1_406_142_470;

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    params: serde_json::Map<String, serde_json::Value>,
    sign_type: String,
    charset: String,
    private_key_file: String,
    sign: String,
}

/// The vector's biz_content, passed through as the exact JSON string it holds.
struct Replay {
    biz_content: String,
}

impl Method for Replay {
    const METHOD: &'static str = METHOD;
    const RESPONSE_NODE: &'static str = "alipay_ebpp_pdeduct_sign_validate_response";
    type Response = serde_json::Value;
    // Any code, kept as received.
    type BizError = UndocumentedBizError;

    fn validate(&self) -> Result<(), ValidationError> {
        alipay_runtime::validate::non_empty("biz_content", &self.biz_content)
    }

    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        Ok(RequestParts {
            biz_content: Some(self.biz_content.clone()),
            form: Vec::new(),
            files: Vec::new(),
        })
    }
}

fn median_ns(iterations: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..iterations.min(200) {
        f();
    }
    // Batches of 10 calls, so the clock's own cost stays out of the figure.
    let batches = (iterations / 10).max(1);
    let mut times: Vec<Duration> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..10 {
                f();
            }
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e9 / 10.0
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, name, iterations] = args.as_slice() else {
        return Err("usage: sign-vector <sign.json> <vector name> <iterations>".into());
    };
    let iterations: usize = iterations.parse()?;
    let all: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file)?)?;
    let list = all.get("vectors").unwrap_or(&all).clone();
    let vectors: Vec<Vector> = serde_json::from_value(list)?;
    let v = vectors
        .into_iter()
        .find(|v| &v.name == name)
        .ok_or_else(|| format!("no vector named {name}"))?;
    if v.sign_type != "RSA2" || !v.charset.eq_ignore_ascii_case("utf-8") {
        return Err("sign-vector replays RSA2 / utf-8 vectors only".into());
    }
    let dir = Path::new(file).parent().unwrap_or(Path::new("."));
    let key_path = dir.join(&v.private_key_file);
    let key = PrivateKey::from_file(&key_path)?;
    let params: Vec<(String, String)> = v
        .params
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();

    // (a) sign content + RSA2 signature, what the Node SDK's util.sign does per call.
    let sign_once = || -> Result<String, Box<dyn Error>> {
        let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let bytes = Charset::Utf8.encode(&content)?;
        Ok(sign_base64(&key, SignType::Rsa2, &bytes)?)
    };
    let sign = sign_once()?;
    let sign_ns = median_ns(iterations, || {
        black_box(sign_once().ok());
    });

    // (b) a complete Client::prepare of the same request, when the vector is the one it replays.
    let param = |k: &str| v.params.get(k).and_then(|x| x.as_str()).unwrap_or_default();
    let mut prepare = serde_json::Value::Null;
    if param("method") == METHOD && param("format") == "JSON" && v.params.len() == 8 {
        let alipay_public =
            PublicKey::from_file(dir.join("keys/alipay_public.pem")).map_err(|e| e.to_string())?;
        let client = Client::builder()
            .gateway("http://127.0.0.1:9/gateway.do")
            .app_id(param("app_id"))
            .private_key(PrivateKey::from_file(&key_path)?)
            .alipay_public_key(alipay_public)
            .clock(|| UNIX_EPOCH + Duration::from_secs(VECTOR_UNIX_SECONDS))
            .build()?;
        let request = Replay {
            biz_content: param("biz_content").to_owned(),
        };
        let prepared = client.prepare(&request).map_err(|e| e.to_string())?;
        let query = prepared.url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let prepared_sign = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "sign")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let ns = median_ns(iterations, || {
            black_box(client.prepare(black_box(&request)).ok());
        });
        prepare = serde_json::json!({ "ns_per_call": ns, "sign": prepared_sign });
    }

    println!(
        "{}",
        serde_json::json!({
            "backend": alipay_runtime::sign::BACKEND,
            "iterations": iterations,
            "ns_per_call": sign_ns,
            "sign": sign,
            "matches_vector": sign == v.sign,
            "prepare": prepare,
        })
    );
    Ok(())
}
