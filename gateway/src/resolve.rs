//! Methods the gateway finds by name when first asked for, beyond the static list it was
//! given: the `alipay` command serves the whole catalog this way, each method validated
//! through its spec at run time rather than through compiled code.

use std::sync::Arc;

use alipay_runtime::{MethodDescriptor, Rule, ValidationError};

/// Validates a request given as JSON `biz_content` plus form fields, strictly, as
/// [`MethodDescriptor::validate_request`] does for a generated method.
pub type Validator = Arc<
    dyn Fn(Option<&serde_json::Value>, &[(String, String)]) -> Result<(), ValidationError>
        + Send
        + Sync,
>;

/// A method found by a [`MethodResolver`].
#[derive(Clone)]
pub struct ResolvedMethod {
    /// What the gateway knows of the method. Its `validate_request` is not called: the
    /// gateway validates through [`ResolvedMethod::validate`] (use [`not_compiled`]).
    pub descriptor: &'static MethodDescriptor,
    /// The method's validation.
    pub validate: Validator,
}

impl std::fmt::Debug for ResolvedMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedMethod")
            .field("method", &self.descriptor.method)
            .finish_non_exhaustive()
    }
}

/// Finds a method by wire name, or `None` when there is no such method. Called once per
/// method: the gateway keeps what it returns.
pub type MethodResolver = Arc<dyn Fn(&str) -> Option<ResolvedMethod> + Send + Sync>;

/// The `validate_request` of a resolved method's descriptor: it has no compiled validation,
/// so calling it refuses every request.
pub fn not_compiled(
    _biz_content: Option<&serde_json::Value>,
    _form: &[(String, String)],
) -> Result<(), ValidationError> {
    Err(ValidationError::new(
        "method",
        Rule::Unsupported("has no compiled validation: validate it through its spec"),
    ))
}
