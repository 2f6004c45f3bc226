//! Generating 1,000 corpus specs end to end, against only parsing them (a recorded ratio:
//! the "at most 2x parsing" target of issue 6 is retired by issue 14). Run with
//! `cargo bench -p alipay-codegen --bench generate`.
//!
//! The specs come from `shared/corpus/catalog.tar.gz` beside the repository (unpacked once
//! with `tar` into a temp folder), or from the folder named by `ALIPAY_CORPUS`.
//!
//! The bench runs with the allocator the `alipay-codegen` CLI uses (mimalloc), so it
//! measures what the CLI does; a build script calling the library uses the system's.

use std::path::{Path, PathBuf};
use std::process::Command;

use alipay_codegen::generate::{generate_files, write_files};
use alipay_codegen::spec::load_paths;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SPECS: usize = 1000;

fn corpus() -> PathBuf {
    if let Some(dir) = std::env::var_os("ALIPAY_CORPUS") {
        return PathBuf::from(dir);
    }
    let tarball = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/catalog.tar.gz");
    let dir = std::env::temp_dir().join("alipay-codegen-bench-corpus");
    if !dir.join("catalog").is_dir() {
        std::fs::create_dir_all(&dir).expect("temp folder");
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&dir)
            .status()
            .expect("`tar` on PATH");
        assert!(status.success(), "cannot unpack {}", tarball.display());
    }
    dir.join("catalog")
}

fn first_specs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files.truncate(SPECS);
    assert_eq!(
        files.len(),
        SPECS,
        "the corpus has fewer than {SPECS} specs"
    );
    files
}

fn bench(c: &mut Criterion) {
    let files = first_specs(&corpus());
    let out = std::env::temp_dir().join(format!("alipay-codegen-bench-out-{}", std::process::id()));
    let mut group = c.benchmark_group("corpus_1000");
    group.sample_size(10);

    group.bench_function("parse", |b| {
        b.iter(|| {
            let report = load_paths(&files);
            assert_eq!(report.specs.len(), SPECS);
            report
        })
    });

    let parsed = load_paths(&files);
    group.bench_function("lower_and_emit_only", |b| {
        b.iter(|| generate_files(parsed.specs.iter().map(|(_, s)| s)).expect("generates"))
    });

    group.bench_function("generate_end_to_end", |b| {
        b.iter_batched(
            || {
                let _ = std::fs::remove_dir_all(&out);
            },
            |()| {
                let report = load_paths(&files);
                let specs = report.specs.iter().map(|(_, s)| s);
                let generated = generate_files(specs).expect("the corpus generates");
                write_files(&generated, &out, false).expect("output written")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&out);
}

criterion_group!(benches, bench);
criterion_main!(benches);
