//! `alipay-codegen features --write` and `--check`: the manifest's generated sections and the
//! catalog's package manifests, planned against the files as they are, then written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{
    FileError, crates_section, dependencies_section, replace_dependencies_section, replace_section,
    section,
};
use crate::catalog::Catalog;

/// What `alipay-codegen features --write` writes (and `--check` compares): the manifest with
/// its generated sections for `groups`, and with a [`Catalog`] the packages' manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The manifest.
    pub manifest: PathBuf,
    /// Its text now.
    pub current: String,
    /// Its text with the generated sections as the specs give them.
    pub updated: String,
    /// The catalog, named and versioned as the manifest's package (if any).
    pub catalog: Option<Catalog>,
    /// The catalog's files (relative to the manifest's folder) that differ from what the specs
    /// give, with their content.
    pub differing: BTreeMap<PathBuf, String>,
    /// Folders of generated packages of groups the specs no longer have, and generated files
    /// of the folder itself that are no longer written.
    pub stale: Vec<PathBuf>,
}

impl Update {
    /// Reads `manifest` and plans its update for `groups` (name and number of methods), with
    /// `catalog` also the packages' (taking the manifest's package name and version).
    pub fn plan(
        manifest: &Path,
        groups: &BTreeMap<String, usize>,
        catalog: Option<Catalog>,
    ) -> Result<Update, FileError> {
        let current = std::fs::read_to_string(manifest).map_err(|source| FileError::Read {
            path: manifest.to_owned(),
            source,
        })?;
        let bad = |source| FileError::Manifest {
            path: manifest.to_owned(),
            source,
        };
        let catalog = match catalog {
            Some(c) => Some(c.named_by(&current).map_err(bad)?),
            None => None,
        };
        let updated = match &catalog {
            Some(c) => replace_section(&current, &crates_section(groups, c))
                .and_then(|t| replace_dependencies_section(&t, &dependencies_section(groups, c))),
            None => replace_section(&current, &section(groups.keys().map(String::as_str))),
        }
        .map_err(bad)?;
        let base = manifest.parent().unwrap_or(Path::new("."));
        let mut differing = BTreeMap::new();
        let mut stale = Vec::new();
        if let Some(c) = &catalog {
            let files = c.files(groups);
            let rust_header = format!("// {}", crate::catalog::GENERATED.trim_start_matches("# "));
            if let Ok(entries) = std::fs::read_dir(base.join(&c.dir)) {
                for entry in entries.flatten() {
                    // A generated file of the folder itself (the build script and library
                    // every package shared before each package had its own) is stale too.
                    let rel = Path::new(&c.dir).join(entry.file_name());
                    let ours = std::fs::read_to_string(entry.path())
                        .is_ok_and(|t| t.starts_with(&rust_header));
                    if ours && !files.contains_key(&rel) {
                        stale.push(entry.path());
                        continue;
                    }
                    let rel = rel.join("Cargo.toml");
                    let generated = std::fs::read_to_string(entry.path().join("Cargo.toml"))
                        .is_ok_and(|t| t.starts_with(crate::catalog::GENERATED));
                    if generated && !files.contains_key(&rel) {
                        stale.push(entry.path());
                    }
                }
            }
            stale.sort();
            differing = files
                .into_iter()
                .filter(|(rel, content)| {
                    std::fs::read_to_string(base.join(rel)).ok().as_deref() != Some(content)
                })
                .collect();
        }
        Ok(Update {
            manifest: manifest.to_owned(),
            current,
            updated,
            catalog,
            differing,
            stale,
        })
    }

    /// Whether nothing would change.
    pub fn is_up_to_date(&self) -> bool {
        self.updated == self.current && self.differing.is_empty() && self.stale.is_empty()
    }

    /// Writes the update: the differing files, the manifest if it changed; removes the stale
    /// packages' generated manifests (and their folders, when nothing else is in them).
    pub fn write(&self) -> Result<(), FileError> {
        let base = self.manifest.parent().unwrap_or(Path::new("."));
        for (rel, content) in &self.differing {
            let path = base.join(rel);
            path.parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, content))
                .map_err(|source| FileError::Write { path, source })?;
        }
        for path in &self.stale {
            if path.is_file() {
                let _ = std::fs::remove_file(path);
                continue;
            }
            // Only the generated files are ours: the folder goes only if nothing else is in it.
            for file in ["Cargo.toml", "build.rs", "lib.rs"] {
                let _ = std::fs::remove_file(path.join(file));
            }
            let _ = std::fs::remove_dir(path);
        }
        if self.updated != self.current {
            std::fs::write(&self.manifest, &self.updated).map_err(|source| FileError::Write {
                path: self.manifest.clone(),
                source,
            })?;
        }
        Ok(())
    }
}
