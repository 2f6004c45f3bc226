//! Reading a `multipart/form-data` request (an upload): text parts become parameters as in a
//! form body, file parts are recorded by name, file name, content type, size and SHA-256.

use hyper::body::Bytes;

use crate::log::RecordedFile;

/// What a multipart body holds.
pub(super) struct Read {
    /// The text parts (no `filename`), raw: they are decoded in the request charset with the
    /// query's parameters.
    pub text: Vec<(Vec<u8>, Vec<u8>)>,
    /// The file parts (with a `filename`), in arrival order.
    pub files: Vec<RecordedFile>,
}

/// Parses `body` (already read whole, within the body limit) with `content_type`'s boundary.
pub(super) async fn read(content_type: &str, body: Bytes) -> Result<Read, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut read = Read {
        text: Vec::new(),
        files: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let Some(name) = field.name().map(str::to_owned) else {
            return Err("a part has no name".to_owned());
        };
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let content = field.bytes().await.map_err(|e| e.to_string())?;
        match file_name {
            None => read.text.push((name.into_bytes(), content.to_vec())),
            Some(file_name) => read.files.push(RecordedFile {
                name,
                file_name,
                content_type,
                size: content.len() as u64,
                sha256: sha256_hex(&content),
            }),
        }
    }
    Ok(read)
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn text_and_file_parts() {
        let body = "--B\r\nContent-Disposition: form-data; name=\"image_type\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\njpg\r\n--B\r\nContent-Disposition: form-data; name=\"image_content\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nabc\r\n--B--\r\n";
        let read = read("multipart/form-data; boundary=B", Bytes::from(body))
            .await
            .unwrap();
        assert_eq!(read.text, vec![(b"image_type".to_vec(), b"jpg".to_vec())]);
        assert_eq!(
            read.files,
            vec![RecordedFile {
                name: "image_content".into(),
                file_name: "a.jpg".into(),
                content_type: Some("image/jpeg".into()),
                size: 3,
                // sha256("abc")
                sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into(),
            }]
        );
    }

    #[tokio::test]
    async fn malformed_bodies_are_named() {
        assert!(read("multipart/form-data", Bytes::from("x")).await.is_err());
        let cut = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc";
        assert!(
            read("multipart/form-data; boundary=B", Bytes::from(cut))
                .await
                .is_err()
        );
    }
}
