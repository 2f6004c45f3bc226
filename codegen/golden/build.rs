//! Compile-fuzz: hostile specs made up here (hard names, colliding names, keywords, the
//! client crate's own module names, recursive models, text full of markup) go through the
//! checker; every one it accepts is generated into `OUT_DIR/fuzz` and compiled with this
//! crate, warnings denied. A spec that `check` accepts and that does not generate, compile or
//! stay warning-free fails the build of this crate, which CI builds.
//!
//! The specs are the same on every build (the seed is fixed), so CI is reproducible; explore
//! others with `ALIPAY_COMPILE_FUZZ_SEED=<n>` and `ALIPAY_COMPILE_FUZZ_SPECS=<count>`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use alipay_codegen::spec::{
    AllowedValue, ErrorCode, Examples, Field, Location, Notification, Spec, load_str, to_yaml,
};

/// A small deterministic generator (xorshift64*): the choices need no quality, only repeatability.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const GROUPS: &[&str] = &[
    "client", "error", "gateway", "price", "runtime", "default", "rsa", "std", "core", "type",
    "self", "crate", "super", "async", "user", "trade", "methods", "serde",
];
const WORDS: &[&str] = &[
    "self",
    "super",
    "type",
    "fn",
    "new",
    "mod",
    "query",
    "r2",
    "find",
    "methods",
    "request",
    "response",
    "call",
    "json",
    "parts",
    "descriptor",
    "errors",
    "crate",
    "box",
];
const FIELD_NAMES: &[&str] = &[
    "self",
    "Self",
    "self_",
    "type",
    "r#type",
    "super",
    "crate",
    "_",
    "3d_secure",
    "orderStr",
    "order_str",
    "new",
    "set_new",
    "Request",
    "Response",
    "BizError",
    "Other",
    "Unknown",
    "a-b",
    "中文",
    "value",
    "code",
    "msg",
    "sub_code",
    "sub_msg",
    "sign",
    "validate",
    "to_parts",
    "box",
    "Option",
    "String",
    "Vec",
    "Result",
    "Some",
    "None",
    "Ok",
    "Err",
    "serde",
    "std",
    "alipay_runtime",
];
const MODEL_NAMES: &[&str] = &[
    "Self",
    "Request",
    "Response",
    "BizError",
    "Other",
    "Item",
    "ItemInResponse",
    "Type",
    "Box",
    "Vec",
    "Option",
    "String",
    "Result",
    "Some",
    "None",
    "Ok",
    "Value",
    "Price",
    "Number",
    "Date",
    "Deserialize",
    "Serialize",
    "Method",
    "Client",
    "Error",
    "File",
    "Boolean",
    "Descriptor",
];
const VALUES: &[&str] = &[
    "self",
    "Self",
    "self_",
    "Other",
    "Unknown",
    "other",
    "a",
    "A",
    "a_",
    "_a",
    "1",
    "01",
    "N01",
    "type",
    "Type",
    "中",
    "x.y",
    "x-y",
    "x y",
    "Some",
    "None",
    "\"quoted\"",
    "back\\slash",
];
const CODES: &[&str] = &[
    "Unknown",
    "unknown",
    "ACQ.TRADE_NOT_EXIST",
    "acq.trade-not-exist",
    "Self",
    "self",
    "SELF",
    "isv.invalid-parameter",
    "20000",
    "40004",
    "Other",
    "a b",
    "中文错误",
];
/// One-line text that markup, comments and literals would trip over. (Text across lines with
/// indentation, which rustdoc reads as code, is the emitter's own tests' business.)
const TEXT: &[&str] = &[
    "plain 文本",
    "`backticks` and ``double``",
    "</code></pre><script>alert(1)</script>",
    "*/ /* /** //! #![deny(warnings)] {} {{}} ]] [[x]]",
    "\"quotes\" 'single' \\ backslash \\n not a newline",
    "[link](javascript:alert) <https://example.com> &amp; &lt;",
    "# heading-like",
    "```rust",
    "```",
    "    four spaces inside one line",
    "r#\"raw\"#",
    "\u{2028}line separator\u{2029}",
    "tab\there",
    "",
];
/// Text `check` refuses: seen now and then, so most specs are still accepted.
const REFUSED_TEXT: &[&str] = &[
    "\u{202E}reversed\u{2066}",
    "carriage\rreturn",
    "esc\u{1b}[31m",
];
const TYPES: &[&str] = &[
    "String", "Number", "Price", "Boolean", "Date", "File", "String[]", "Number[]",
];

fn text(rng: &mut Rng) -> String {
    if rng.below(400) == 0 {
        rng.pick(REFUSED_TEXT).to_owned()
    } else {
        rng.pick(TEXT).to_owned()
    }
}

fn field(rng: &mut Rng, name: &str, models: &[String], request: bool) -> Field {
    let ty = if !models.is_empty() && rng.below(3) == 0 {
        let model = &models[rng.below(models.len())];
        if rng.below(2) == 0 {
            format!("{model}[]")
        } else {
            model.clone()
        }
    } else {
        rng.pick(TYPES).to_owned()
    };
    let values = if ty.starts_with("String") && rng.below(2) == 0 {
        (0..1 + rng.below(4))
            .map(|_| AllowedValue {
                value: rng.pick(VALUES).to_owned(),
                description: text(rng),
            })
            .collect()
    } else {
        Vec::new()
    };
    let format = (ty == "Date" && rng.below(2) == 0).then(|| "yyyy-MM-dd".to_owned());
    Field {
        name: name.to_owned(),
        rust_name: None,
        location: if request && ty != "File" && rng.below(6) == 0 {
            Location::Form
        } else {
            Location::default()
        },
        ty,
        required: rng.below(2) == 0,
        max_length: (rng.below(3) == 0).then(|| 1 + rng.below(64) as u64),
        format,
        description: text(rng),
        example: (rng.below(3) == 0).then(|| text(rng)),
        values,
        note: (rng.below(4) == 0).then(|| text(rng)),
        source: (rng.below(4) == 0).then(|| text(rng)),
    }
}

fn fields(rng: &mut Rng, models: &[String], request: bool) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for _ in 0..rng.below(6) {
        let name = rng.pick(FIELD_NAMES);
        if !out.iter().any(|f| f.name == name) {
            out.push(field(rng, name, models, request));
        }
    }
    out
}

fn spec(rng: &mut Rng, index: usize) -> Spec {
    // Long because: a random spec built field by field from one seed.
    let method = format!("alipay.{}.{}.m{index}", rng.pick(GROUPS), rng.pick(WORDS));
    let mut names: Vec<String> = Vec::new();
    for _ in 0..rng.below(4) {
        let name = rng.pick(MODEL_NAMES).to_owned();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut models = BTreeMap::new();
    for name in &names {
        models.insert(name.clone(), fields(rng, &names, false));
    }
    let mut request = fields(rng, &names, true);
    let mut response = fields(rng, &names, false);
    // Every model used, so the spec is not refused for an unused one.
    for name in &names {
        let field = Field {
            ty: format!("{name}[]"),
            values: Vec::new(),
            format: None,
            ..field(rng, &format!("use_{}", name.to_lowercase()), &[], false)
        };
        if rng.below(2) == 0 {
            request.push(field)
        } else {
            response.push(field)
        }
    }
    // Half the specs have a typed notification (its fields named from the same hard names,
    // `sign` and `other_fields` among them); notifications hold no files.
    // Drawn from a generator of its own, so the rest of each spec (and the set accepted) is
    // what it was before notifications were fuzzed.
    let mut nrng = Rng(rng.0.rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15);
    let notification = (nrng.below(2) == 0).then(|| {
        let mut fields = fields(&mut nrng, &names, false);
        fields.retain(|f| !f.ty.starts_with("File"));
        if nrng.below(3) == 0 {
            fields.push(Field {
                ty: "String".to_owned(),
                values: Vec::new(),
                format: None,
                ..field(&mut nrng, "other_fields", &[], false)
            });
        }
        Notification {
            sources: Vec::new(),
            note: (nrng.below(3) == 0).then(|| text(&mut nrng)),
            fields,
        }
    });
    let errors = (0..rng.below(4))
        .map(|_| rng.pick(CODES))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|code| ErrorCode {
            code: code.to_owned(),
            description: text(rng),
            solution: text(rng),
            note: None,
            source: (rng.below(2) == 0).then(|| text(rng)),
        })
        .collect();
    Spec {
        method,
        title: format!("title {}", text(rng)),
        description: text(rng),
        version: "1.0".to_owned(),
        doc_url: None,
        provenance: Default::default(),
        call_style: None,
        note: None,
        request,
        response: {
            response.retain(|f| f.location == Location::BizContent);
            response
        },
        models,
        errors,
        examples: Examples::default(),
        notification,
        route: None,
        at_least_one_of: Vec::new(),
    }
}

/// Specs every run holds whatever the seed: the names the issue found breaking the build.
fn fixed() -> Vec<String> {
    vec![
        "method: alipay.runtime.fixed.values\ntitle: t\nrequest:\n  - name: who\n    type: String\n    values:\n      - value: self\n      - value: Self\n      - value: self_\n".into(),
        "method: alipay.gateway.fixed.twin\ntitle: t\nrequest:\n  - name: me\n    type: Self\nresponse:\n  - name: me\n    type: Self\nmodels:\n  Self:\n    - name: kind\n      type: String\n      required: true\n      values:\n        - value: a\n".into(),
        "method: alipay.client.fixed.tree\ntitle: t\nrequest:\n  - name: tree\n    type: Tree\nmodels:\n  Tree:\n    - name: children\n      type: Tree[]\n".into(),
        "method: alipay.error.fixed.query\ntitle: t\nrequest: []\n".into(),
        "method: alipay.price.fixed.query\ntitle: t\nrequest: []\n".into(),
    ]
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=ALIPAY_COMPILE_FUZZ_SEED");
    println!("cargo::rerun-if-env-changed=ALIPAY_COMPILE_FUZZ_SPECS");
    let seed: u64 = std::env::var("ALIPAY_COMPILE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let count: usize = std::env::var("ALIPAY_COMPILE_FUZZ_SPECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);

    let mut texts = fixed();
    for i in 0..count {
        let spec = spec(&mut rng, i);
        texts.push(to_yaml(&spec).expect("a made-up spec serialises"));
    }
    let mut accepted = Vec::new();
    let mut refused = 0;
    for text in &texts {
        let method = text
            .lines()
            .find_map(|l| l.strip_prefix("method: "))
            .unwrap_or("unknown")
            .to_owned();
        match load_str(&format!("{method}.yaml"), text) {
            Ok(spec) => accepted.push((spec, text)),
            Err(problems) => {
                refused += 1;
                if let Some(first) = problems.first() {
                    println!("refused: {first}");
                }
            }
        }
    }
    let specs: Vec<&Spec> = accepted.iter().map(|(s, _)| s).collect();
    let files =
        alipay_codegen::generate::generate_files(specs.iter().copied()).unwrap_or_else(|e| {
            let all: Vec<&str> = accepted.iter().map(|(_, t)| t.as_str()).collect();
            panic!(
                "specs that `check` accepts do not generate: {e}\n{}",
                all.join("\n---\n")
            )
        });
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("fuzz");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("OUT_DIR/fuzz");
    for (path, text) in files {
        // Every group is compiled: the feature gates of the generated root are left out.
        let text: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("#[cfg(feature = "))
            .map(|l| format!("{l}\n"))
            .collect();
        let path = out.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(&path, text).expect("write");
    }
    let specs_text: Vec<&str> = accepted.iter().map(|(_, t)| t.as_str()).collect();
    std::fs::write(out.join("specs.yaml"), specs_text.join("---\n")).expect("write specs");
    // Shown only in the build script's output file, not as a warning.
    println!(
        "compile-fuzz: {} spec(s) accepted and compiled, {refused} refused by check (seed {seed}; see {})",
        accepted.len(),
        out.join("specs.yaml").display()
    );
}
