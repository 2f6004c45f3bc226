//! The signature of a request: its sign content (every parameter but `sign`, sorted by name,
//! empty values left out) in the request charset, signed with the app's key.

use super::{Param, PrepareError, PublicParams};
use crate::sign::sign_base64;
use crate::sign_content::sign_content;

/// The base64 signature over `query` and `form`.
pub(super) fn sign(
    public: &PublicParams<'_>,
    method: &str,
    query: &[Param<'_>],
    form: &[Param<'_>],
) -> Result<String, PrepareError> {
    let pairs = || query.iter().chain(form).map(|p| (p.key, p.value));
    let content = sign_content(pairs());
    tracing::trace!(
        method,
        sign_type = public.sign_type.as_str(),
        charset = public.charset.as_str(),
        content = %crate::redact::sign_content_text(pairs()),
        "signing the request's sign content (secret values redacted)"
    );
    let content_bytes = public
        .charset
        .encode(&content)
        .map_err(|_| super::encoding::unencodable("sign_content", public.charset))?;
    sign_base64(public.signer, public.sign_type, &content_bytes).map_err(PrepareError::Sign)
}
