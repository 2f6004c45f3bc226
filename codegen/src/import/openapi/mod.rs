//! `alipay-codegen import-openapi`: Alipay's OpenAPI document of the v3 protocol (YAML or
//! JSON) as a source of specs.
//!
//! Every operation gives its method's spec a `route` (HTTP method, path, query, body) and
//! adds what the spec lacks: the error codes (the method's `BizError` variants, for v2 answers
//! too: v2 `sub_code` and v3 `code` are the same values), the path and query parameters, and
//! the request and response fields (with the models they name) that the spec's own source does
//! not have. What a spec already says is never changed; each added fact names the document
//! and its version (`source`). The spec updated is the one the loader uses (the doc-page
//! layer's, else the SDK layer's); an operation no spec has gets one of its own
//! (`provenance: openapi`, `route.v2: false`). Importing the same document again changes
//! nothing.

mod document;
mod merge;
mod patch;

use std::path::{Path, PathBuf};

use crate::spec::{self, Diagnostic, SDK_LAYER, Spec};
use document::Document;

/// Why the import failed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum OpenapiError {
    /// The file is not YAML or JSON.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The document.
        file: PathBuf,
        /// Where (1-based).
        line: usize,
        /// Where (1-based).
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The document is not shaped as an OpenAPI document of Alipay's.
    #[error("not an OpenAPI document of Alipay's: {0}")]
    Document(String),
    /// A spec the import would update has problems of its own.
    #[error("{} problem(s) in the specs the import updates:\n{}", .0.len(), join(.0))]
    Specs(Vec<Diagnostic>),
    /// What the import made of an operation does not pass the checker (the document
    /// contradicts the spec, or an importer bug); nothing was written.
    #[error(
        "the spec imported for `{method}` does not pass the checker:\n{}",
        join(problems)
    )]
    Imported {
        /// The method.
        method: String,
        /// The checker's problems.
        problems: Vec<Diagnostic>,
    },
    /// The import could not write what it adds into an existing spec's text without touching
    /// the rest (an unusual layout); nothing was written.
    #[error(
        "`{}`: cannot add the imported facts of `{method}` to the file's text without changing the rest; \
         please report it (the file's layout is one the importer does not know)",
        file.display()
    )]
    Unpatchable {
        /// The method.
        method: String,
        /// The spec file, relative to the specs folder.
        file: PathBuf,
    },
    /// Two operations share an operationId.
    #[error("operationId `{0}` is used twice")]
    DuplicateOperation(String),
    /// A spec could not be written as YAML.
    #[error(transparent)]
    Yaml(#[from] spec::ToYamlError),
}

fn join(d: &[Diagnostic]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the import makes of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedSpec {
    /// The method.
    pub method: String,
    /// The spec file, relative to the specs folder.
    pub file: PathBuf,
    /// Whether the file exists and how it changes.
    pub change: SpecChange,
    /// The spec's text as the import writes it.
    pub text: String,
}

/// How an [`ImportedSpec`] changes its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecChange {
    /// A new spec (a method only the v3 protocol has).
    New,
    /// An existing spec gains facts.
    Updated,
    /// The spec already holds everything the document says.
    Unchanged,
}

/// The import of a document: one entry per operation, in the document's order of paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenapiImport {
    /// The document's `info.version`.
    pub version: String,
    /// What the import makes of each operation.
    pub specs: Vec<ImportedSpec>,
}

impl OpenapiImport {
    /// Writes the new and updated specs under `specs_dir`.
    pub fn write(&self, specs_dir: &Path) -> std::io::Result<()> {
        for s in self
            .specs
            .iter()
            .filter(|s| s.change != SpecChange::Unchanged)
        {
            std::fs::write(specs_dir.join(&s.file), &s.text)?;
        }
        Ok(())
    }
}

/// The source every fact imported from a document of `version` names.
pub fn source(version: &str) -> String {
    format!("Alipay OpenAPI document of the v3 protocol, info.version {version}")
}

/// Reads the document at `file` (`text`: its content, YAML or JSON) and plans the import into
/// the specs of `specs_dir`. Nothing is written (see [`OpenapiImport::write`]).
pub fn import_openapi(
    file: &Path,
    text: &str,
    specs_dir: &Path,
) -> Result<OpenapiImport, OpenapiError> {
    let json = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| OpenapiError::Syntax {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?
    } else {
        spec::yaml_to_json(text).map_err(|e| OpenapiError::Syntax {
            file: file.to_owned(),
            line: e.pos.line,
            column: e.pos.column,
            message: e.message,
        })?
    };
    let doc = Document::read(&json)?;
    let source = source(&doc.version);
    let mut seen = std::collections::HashSet::new();
    let mut specs = Vec::new();
    let mut problems = Vec::new();
    for op in &doc.operations {
        if !seen.insert(op.id.as_str()) {
            return Err(OpenapiError::DuplicateOperation(op.id.clone()));
        }
        let name = format!("{}.yaml", op.id);
        let curated = PathBuf::from(&name);
        let sdk = Path::new(SDK_LAYER).join(&name);
        let existing = [&curated, &sdk]
            .into_iter()
            .find(|rel| specs_dir.join(rel).is_file());
        let (file, before, spec) = match existing {
            Some(rel) => {
                let path = specs_dir.join(rel);
                let before = std::fs::read_to_string(&path).unwrap_or_default();
                match spec::load_file(&path) {
                    Ok(loaded) => {
                        let mut spec = loaded.clone();
                        merge::merge(&mut spec, op, &source);
                        (rel.clone(), Some((before, loaded)), spec)
                    }
                    Err(d) => {
                        problems.extend(d);
                        continue;
                    }
                }
            }
            None => (curated, None, merge::new_spec(op, &source)),
        };
        specs.push(imported(op.id.clone(), file, before, &spec)?);
    }
    if !problems.is_empty() {
        return Err(OpenapiError::Specs(problems));
    }
    Ok(OpenapiImport {
        version: doc.version,
        specs,
    })
}

/// The spec as written, checked as the loader will read it.
fn imported(
    method: String,
    file: PathBuf,
    before: Option<(String, Spec)>,
    spec: &Spec,
) -> Result<ImportedSpec, OpenapiError> {
    if let Some((old, loaded)) = &before
        && loaded == spec
    {
        return Ok(ImportedSpec {
            method,
            file,
            change: SpecChange::Unchanged,
            text: old.clone(),
        });
    }
    // A new spec is written whole; an existing one is edited, so its comments and layout stay.
    let unpatchable = || OpenapiError::Unpatchable {
        method: method.clone(),
        file: file.clone(),
    };
    let text = match &before {
        None => spec::to_yaml(spec)?,
        Some((old, loaded)) => patch::patch(old, loaded, spec).ok_or_else(unpatchable)?,
    };
    // Checked as the loader will read it; an edit must read as exactly the merged spec.
    match spec::load_str(&file.display().to_string(), &text) {
        Err(problems) => return Err(OpenapiError::Imported { method, problems }),
        Ok(read) if before.is_some() && read != *spec => return Err(unpatchable()),
        Ok(_) => {}
    }
    let change = match &before {
        None => SpecChange::New,
        Some(_) => SpecChange::Updated,
    };
    Ok(ImportedSpec {
        method,
        file,
        change,
        text,
    })
}
