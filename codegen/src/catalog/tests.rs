//! The partition, the packages' manifests and what a part reads of its own.

use super::*;
use crate::spec::load_str;

#[test]
fn parts_cover_the_group_once_in_order() {
    let specs: Vec<Spec> = (0..7)
        .map(|i| {
            let m = format!("alipay.trade.m{i}");
            load_str(&format!("{m}.yaml"), &format!("method: {m}\ntitle: t\n")).unwrap()
        })
        .collect();
    let refs: Vec<&Spec> = specs.iter().rev().collect();
    let mut refs = refs;
    refs.sort_by(|a, b| a.method.cmp(&b.method));
    let cut = |index: usize, of: usize| {
        let part = Part {
            group: "trade".into(),
            index,
            of,
        };
        part.share(&refs).to_vec()
    };
    let parts: Vec<Vec<String>> = (1..=3)
        .map(|k| cut(k, 3).iter().map(|s| s.method.clone()).collect())
        .collect();
    assert_eq!(
        parts[0],
        ["alipay.trade.m0", "alipay.trade.m1", "alipay.trade.m2"]
    );
    assert_eq!(
        parts[1],
        ["alipay.trade.m3", "alipay.trade.m4", "alipay.trade.m5"]
    );
    assert_eq!(parts[2], ["alipay.trade.m6"]);
    // More parts than methods: the extra parts are empty, nothing is repeated.
    let all: usize = (1..=9).map(|k| cut(k, 9).len()).sum();
    assert_eq!(all, 7);
}

#[test]
fn a_part_names_its_group_and_place() {
    let catalog = Catalog {
        max_methods: 2,
        ..Catalog::alipay_openapi()
    };
    let groups = BTreeMap::from([("trade".to_owned(), 3), ("koubei_item".to_owned(), 1)]);
    let files = catalog.files(&groups);
    let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
    assert_eq!(
        names,
        [
            "catalog/koubei_item/Cargo.toml",
            "catalog/koubei_item/build.rs",
            "catalog/koubei_item/lib.rs",
            "catalog/trade_1/Cargo.toml",
            "catalog/trade_1/build.rs",
            "catalog/trade_1/lib.rs",
            "catalog/trade_2/Cargo.toml",
            "catalog/trade_2/build.rs",
            "catalog/trade_2/lib.rs",
        ]
    );
    let second = &files[Path::new("catalog/trade_2/Cargo.toml")];
    assert!(
        second.contains("name = \"alipay-openapi-trade-2\""),
        "{second}"
    );
    let meta = part_meta(second).unwrap();
    assert_eq!(
        meta,
        PartMeta {
            group: "trade".into(),
            part: 2,
            parts: 2,
            specs: None,
        }
    );
    // Packaged as it is: its own files, its dependencies by version, nothing outside it.
    assert!(!second.contains("../build.rs") && !second.contains("publish = false"));
    assert!(second.contains("alipay-specs = { path = \"../../specs\", version = "));
    let build = &files[Path::new("catalog/trade_2/build.rs")];
    assert!(
        build.contains("build_part_from(alipay_specs::DIR)"),
        "{build}"
    );
    assert!(part_meta("[package]\nname = \"x\"\n").is_err());
    let bad = second.replace("part = 2", "part = 3");
    assert!(
        part_meta(&bad)
            .unwrap_err()
            .to_string()
            .contains("part 3 of 2")
    );
}

#[test]
fn the_parts_take_the_facades_registry_keys_inherited_or_not() {
    let manifest = "[workspace.package]\nversion = \"0.3.1\"\nlicense = \"MIT\"\n\
                    [package]\nname = \"my-client\"\nversion.workspace = true\n\
                    license.workspace = true\nrust-version = \"1.88\"\n";
    let catalog = Catalog::alipay_openapi().named_by(manifest).unwrap();
    assert_eq!(catalog.facade, "my-client");
    assert_eq!(catalog.version, "0.3.1");
    assert_eq!(
        catalog.package_keys,
        "rust-version = \"1.88\"\nlicense = \"MIT\"\n"
    );
    let groups = BTreeMap::from([("trade".to_owned(), 1)]);
    let part = &catalog.files(&groups)[Path::new("catalog/trade/Cargo.toml")];
    assert!(
        part.contains(
            "version = \"0.3.1\"\nedition = \"2024\"\nrust-version = \"1.88\"\nlicense = \"MIT\"\n"
        ),
        "{part}"
    );
}
