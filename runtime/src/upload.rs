//! File uploads (`File` fields): what a request sends as a `multipart/form-data` file part.
//!
//! A request with at least one file goes out as `multipart/form-data`, the way the official
//! SDKs send it: the public parameters and `sign` stay in the URL query, every text field
//! (`biz_content` and the method's other form fields) is a text part and is signed, and each
//! file is a file part, never signed, with its file name and content type. A file read from
//! disk or from a reader is streamed: its bytes are never gathered in memory.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::AsyncRead;

use crate::validate::{Rule, ValidationError};

/// A reader handed over once, to the first request that sends it.
type SharedReader = Arc<Mutex<Option<Box<dyn AsyncRead + Send + Unpin>>>>;

/// A file to upload in a `File` field: from a path, from bytes, or from a reader.
///
/// The file name and the content type are sent with the part; the file name defaults to the
/// path's last component and the content type is guessed from the file name's extension
/// (`application/octet-stream` when unknown); both can be set.
///
/// ```
/// use alipay_runtime::FileUpload;
///
/// let from_disk = FileUpload::from_path("receipts/2024-07.jpg");
/// assert_eq!(from_disk.file_name(), Some("2024-07.jpg"));
/// assert_eq!(from_disk.content_type(), "image/jpeg");
///
/// let in_memory = FileUpload::from_bytes("a.png", vec![0x89, b'P', b'N', b'G'])
///     .with_content_type("image/png");
/// assert_eq!(in_memory.len(), Some(4));
/// ```
///
/// Equality compares what is sent: the same path, the same bytes, or the same reader (one
/// handed to [`FileUpload::from_reader`], shared by clones), with the same name and type.
#[derive(Clone)]
pub struct FileUpload {
    source: Source,
    file_name: Option<String>,
    content_type: Option<String>,
}

#[derive(Clone)]
enum Source {
    /// Opened when the request is sent (and again for a connect retry).
    Path(PathBuf),
    /// Shared, so a clone or a retry copies nothing.
    Bytes(bytes::Bytes),
    /// Streamed once.
    Reader(SharedReader),
    /// Only described by its file name: what validation of a received request sees. It has no
    /// content, so sending it fails.
    Described,
}

impl FileUpload {
    /// The file at `path`, opened and streamed when the request is sent. A file that cannot
    /// be opened then fails the call before anything is sent ([`Rule::Unreadable`]).
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        Self {
            source: Source::Path(path),
            file_name,
            content_type: None,
        }
    }

    /// `bytes`, sent as a file named `file_name`.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<bytes::Bytes>) -> Self {
        Self {
            source: Source::Bytes(bytes.into()),
            file_name: Some(file_name.into()),
            content_type: None,
        }
    }

    /// What `reader` yields, streamed as a file named `file_name`. A reader can be read only
    /// once: the first request that sends this upload (or a clone of it) takes it, and a
    /// connect failure is not retried; any later send fails before anything is sent. Its
    /// length is unknown, so the body goes out with chunked transfer encoding.
    pub fn from_reader(
        file_name: impl Into<String>,
        reader: impl AsyncRead + Send + Unpin + 'static,
    ) -> Self {
        Self {
            source: Source::Reader(Arc::new(Mutex::new(Some(Box::new(reader))))),
            file_name: Some(file_name.into()),
            content_type: None,
        }
    }

    /// An upload known only by its file name, without content: what the validators
    /// (`request_from_json`, the local gateway) see of a file part. Sending it fails.
    pub fn described(file_name: impl Into<String>) -> Self {
        Self {
            source: Source::Described,
            file_name: Some(file_name.into()),
            content_type: None,
        }
    }

    /// Sends the part under `file_name` instead. A file name holding a control character (a
    /// line break) fails the call before anything is sent, naming the field.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sends the part with this `Content-Type` (for example `image/jpeg`) instead of the one
    /// guessed from the file name. It must be a valid media type, or the call fails before
    /// anything is sent.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name sent with the part, if any.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type sent with the part: the one set, or the one guessed from the file
    /// name's extension.
    pub fn content_type(&self) -> String {
        match &self.content_type {
            Some(set) => set.clone(),
            None => mime_guess::from_path(self.file_name.as_deref().unwrap_or_default())
                .first_or_octet_stream()
                .essence_str()
                .to_owned(),
        }
    }

    /// The length in bytes, when known without reading (bytes only).
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(b) => Some(b.len() as u64),
            _ => None,
        }
    }

    /// Whether this is known to be empty without reading (bytes only).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The path the file is read from, for an upload from a path.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::Path(p) => Some(p),
            _ => None,
        }
    }

    /// Whether it can be sent again after a failed attempt (a path or bytes; not a reader).
    pub(crate) fn can_resend(&self) -> bool {
        matches!(self.source, Source::Path(_) | Source::Bytes(_))
    }

    /// Whether this upload has content to send (not [`FileUpload::described`]).
    pub(crate) fn check_sendable(&self, field: &str) -> Result<(), ValidationError> {
        match self.source {
            Source::Described => Err(no_content(field)),
            _ => Ok(()),
        }
    }

    /// The multipart part: opens the file (or takes the reader) now, so that a file that
    /// cannot be read fails before anything is sent.
    pub(crate) async fn to_part(
        &self,
        field: &str,
    ) -> Result<reqwest::multipart::Part, ValidationError> {
        // The file name is written into the part's header (a CR or LF there is only
        // backslash-escaped, so a line break would end the header and start another).
        if self
            .file_name
            .as_deref()
            .is_some_and(|name| name.chars().any(char::is_control))
        {
            return Err(ValidationError::new(
                field,
                Rule::Unsupported(
                    "has a file name holding a control character (a line break would end the \
                     part's header and start another)",
                ),
            ));
        }
        let part = match &self.source {
            Source::Path(path) => {
                let unreadable = |e: std::io::Error| {
                    ValidationError::new(
                        field,
                        Rule::Unreadable {
                            path: path.display().to_string(),
                            reason: e.to_string(),
                        },
                    )
                };
                let file = tokio::fs::File::open(path).await.map_err(unreadable)?;
                let metadata = file.metadata().await.map_err(unreadable)?;
                if !metadata.is_file() {
                    return Err(unreadable(std::io::Error::other("not a regular file")));
                }
                reqwest::multipart::Part::stream_with_length(file, metadata.len())
            }
            Source::Bytes(bytes) => {
                reqwest::multipart::Part::stream_with_length(bytes.clone(), bytes.len() as u64)
            }
            Source::Reader(shared) => {
                let taken = shared.lock().unwrap_or_else(PoisonError::into_inner).take();
                let Some(reader) = taken else {
                    return Err(ValidationError::new(
                        field,
                        Rule::Unsupported(
                            "is a reader that an earlier request already read: a reader is sent once",
                        ),
                    ));
                };
                let stream = tokio_util::io::ReaderStream::new(reader);
                reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream))
            }
            Source::Described => return Err(no_content(field)),
        };
        let part = match &self.file_name {
            Some(name) => part.file_name(name.clone()),
            None => part,
        };
        part.mime_str(&self.content_type()).map_err(|_| {
            ValidationError::new(
                field,
                Rule::Format {
                    expected: "a media type such as image/jpeg",
                    value: self.content_type(),
                },
            )
        })
    }
}

fn no_content(field: &str) -> ValidationError {
    ValidationError::new(
        field,
        Rule::Unsupported(
            "is a file known only by its name (as validation receives it): it has no content to send; give a path, bytes or a reader",
        ),
    )
}

impl PartialEq for FileUpload {
    fn eq(&self, other: &Self) -> bool {
        let same = match (&self.source, &other.source) {
            (Source::Path(a), Source::Path(b)) => a == b,
            (Source::Bytes(a), Source::Bytes(b)) => a == b,
            (Source::Reader(a), Source::Reader(b)) => Arc::ptr_eq(a, b),
            (Source::Described, Source::Described) => true,
            _ => false,
        };
        same && self.file_name == other.file_name && self.content_type == other.content_type
    }
}

impl Eq for FileUpload {}

impl fmt::Debug for FileUpload {
    // The content is the caller's data: only where it comes from and how large it is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("FileUpload");
        match &self.source {
            Source::Path(p) => d.field("path", p),
            Source::Bytes(b) => d.field("bytes_len", &b.len()),
            Source::Reader(_) => d.field("reader", &".."),
            Source::Described => d.field("described", &true),
        };
        d.field("file_name", &self.file_name)
            .field("content_type", &self.content_type())
            .finish()
    }
}

impl From<PathBuf> for FileUpload {
    fn from(path: PathBuf) -> Self {
        FileUpload::from_path(path)
    }
}

impl From<&Path> for FileUpload {
    fn from(path: &Path) -> Self {
        FileUpload::from_path(path)
    }
}

impl<'de> serde::Deserialize<'de> for FileUpload {
    /// A file field given as JSON is a string, the file name of a file part received (what
    /// `request_from_json` and the local gateway see): [`FileUpload::described`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = FileUpload;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (the file name of a file part)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FileUpload, E> {
                Ok(FileUpload::described(v))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types() {
        let p = FileUpload::from_path("/tmp/x/a.JPG");
        assert_eq!(p.file_name(), Some("a.JPG"));
        assert_eq!(p.content_type(), "image/jpeg");
        assert_eq!(p.path(), Some(Path::new("/tmp/x/a.JPG")));
        let b = FileUpload::from_bytes("data.unknownext", vec![1, 2]);
        assert_eq!(b.content_type(), "application/octet-stream");
        assert_eq!(b.len(), Some(2));
        let t = b
            .clone()
            .with_content_type("text/csv")
            .with_file_name("d.csv");
        assert_eq!(t.content_type(), "text/csv");
        assert_eq!(t.file_name(), Some("d.csv"));
        assert_ne!(b, t);
        assert_eq!(b, b.clone());
    }

    #[test]
    fn readers_equal_only_their_clones() {
        let a = FileUpload::from_reader("a", tokio::io::empty());
        let b = FileUpload::from_reader("a", tokio::io::empty());
        assert_eq!(a, a.clone());
        assert_ne!(a, b);
        assert!(!a.can_resend());
    }

    #[test]
    fn debug_shows_no_content() {
        let b = FileUpload::from_bytes("secret.txt", b"top secret".to_vec());
        let shown = format!("{b:?}");
        assert!(!shown.contains("top secret"), "{shown}");
        assert!(shown.contains("bytes_len: 10"), "{shown}");
    }

    #[test]
    fn described_uploads_deserialise_from_a_name_and_cannot_be_sent() {
        let d: FileUpload = serde_json::from_value(serde_json::json!("a.jpg")).unwrap();
        assert_eq!(d, FileUpload::described("a.jpg"));
        assert!(d.check_sendable("f").is_err());
        assert!(serde_json::from_value::<FileUpload>(serde_json::json!(1)).is_err());
    }

    #[tokio::test]
    async fn a_missing_file_fails_naming_field_and_path() {
        let err = FileUpload::from_path("/no/such/dir/a.jpg")
            .to_part("image_content")
            .await
            .unwrap_err();
        assert_eq!(err.field, "image_content");
        assert!(matches!(&err.rule, Rule::Unreadable { path, .. } if path == "/no/such/dir/a.jpg"));
        let dir = FileUpload::from_path(env!("CARGO_MANIFEST_DIR"))
            .to_part("f")
            .await;
        assert!(dir.is_err());
    }

    #[tokio::test]
    async fn a_reader_is_sent_once() {
        let r = FileUpload::from_reader("a.bin", tokio::io::empty());
        assert!(r.to_part("f").await.is_ok());
        let again = r.clone().to_part("f").await.unwrap_err();
        assert!(matches!(again.rule, Rule::Unsupported(_)));
    }
}
