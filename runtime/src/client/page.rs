//! Requests that the user's browser or the Alipay app sends, not the client: the signed form
//! and URL of a page method (`pageExecute` in the official SDKs) and the order string of an
//! app method (`sdkExecute`). Nothing here touches the network.

use std::borrow::Cow;

use super::Client;
use super::call::{check_call_style, prepare_error};
use super::options::{NO_OPTIONS, RequestOptions};
use crate::error::{DynBizCode, Error};
use crate::method::{BizErrorCode, CallStyle, Method, RequestParts};
use crate::page::{PageForm, crlf_line_breaks};
use crate::request::Signed;

/// The call styles whose requests the app SDK can open: app methods, and page methods such
/// as `alipay.user.agreement.page.sign`, which apps open with an order string too.
const APP_OPENED: &[CallStyle] = &[CallStyle::App, CallStyle::Page];

impl Client {
    /// Signs a page method's request (`alipay.trade.page.pay`, `alipay.trade.wap.pay`, ...)
    /// into an auto-submitting HTML form for the user's browser: the public parameters and
    /// `sign` in the action URL, `biz_content` and the method's other fields as hidden inputs,
    /// every value HTML-escaped so that the browser submits exactly what was signed. Serve it
    /// as [`PageForm::to_bytes`] with [`PageForm::content_type`] (the request charset).
    ///
    /// A browser submits a form value's line breaks as CRLF (the HTML standard), so each line
    /// break of `biz_content` and of the form fields is made CRLF before signing (see
    /// [`crate::page`]); a value holding a NUL, which no form can carry, is refused naming
    /// its field ([`Error::InvalidRequest`]).
    ///
    /// The request is validated first; a method that is not a page method (its spec's
    /// `call_style`) is refused with [`Error::WrongCallStyle`]. Nothing is sent: the result
    /// comes back through `return_url` and the asynchronous notification.
    ///
    /// ```no_run
    /// # async fn demo<M: alipay_runtime::Method>(client: &alipay_runtime::Client, request: &M) -> Result<(), Box<dyn std::error::Error>> {
    /// use alipay_runtime::RequestOptions;
    /// let options = RequestOptions::new().return_url("https://shop.example/orders/T1");
    /// let form = client.page_form_with(request, &options)?;
    /// // Answer the browser with form.content_type() and form.to_bytes().
    /// # let _ = form;
    /// # Ok(())
    /// # }
    /// ```
    pub fn page_form<M: Method>(&self, req: &M) -> Result<PageForm, Error<M::BizError>> {
        self.page_form_with(req, &NO_OPTIONS)
    }

    /// [`Client::page_form`] with this request's own `return_url`, `notify_url`,
    /// `app_auth_token` or `auth_token` (see [`RequestOptions`]).
    pub fn page_form_with<M: Method>(
        &self,
        req: &M,
        options: &RequestOptions,
    ) -> Result<PageForm, Error<M::BizError>> {
        check_call_style::<M>("page_form", &[CallStyle::Page])?;
        let parts = req.validated_parts()?;
        self.form_of(M::METHOD, &parts, options)
    }

    /// Signs a page method's request into one GET URL (`pageExecute` with GET): the gateway
    /// with every parameter, `sign` included, in its query, percent-encoded in the request
    /// charset. Validated and refused as [`Client::page_form`] is.
    pub fn page_url<M: Method>(&self, req: &M) -> Result<String, Error<M::BizError>> {
        self.page_url_with(req, &NO_OPTIONS)
    }

    /// [`Client::page_url`] with this request's own public parameters (see
    /// [`RequestOptions`]).
    pub fn page_url_with<M: Method>(
        &self,
        req: &M,
        options: &RequestOptions,
    ) -> Result<String, Error<M::BizError>> {
        self.sign_styled(req, options, "page_url", &[CallStyle::Page], |s| {
            s.page_url()
        })
    }

    /// Signs an app method's request (`alipay.trade.app.pay`) into the order string the
    /// Alipay app SDK takes (`sdkExecute`): every parameter, `sign` included, percent-encoded
    /// in the request charset and joined with `&`. Page methods that apps open with an order
    /// string (`alipay.user.agreement.page.sign`) are accepted too; a server call is refused
    /// with [`Error::WrongCallStyle`].
    pub fn app_order_string<M: Method>(&self, req: &M) -> Result<String, Error<M::BizError>> {
        self.app_order_string_with(req, &NO_OPTIONS)
    }

    /// [`Client::app_order_string`] with this request's own public parameters (see
    /// [`RequestOptions`]).
    pub fn app_order_string_with<M: Method>(
        &self,
        req: &M,
        options: &RequestOptions,
    ) -> Result<String, Error<M::BizError>> {
        self.sign_styled(req, options, "app_order_string", APP_OPENED, |s| {
            s.all_params()
        })
    }

    /// [`Client::page_form_with`] for parts that already passed their method's validation,
    /// of a method known to be a page method (the untyped twin, for dynamic callers such as
    /// the CLI, as [`Client::execute_raw`] is of [`Client::execute`]).
    // The same error type as execute_raw, returned once per call.
    #[allow(clippy::result_large_err)]
    pub fn page_form_raw(
        &self,
        method: &str,
        parts: &RequestParts,
        options: &RequestOptions,
    ) -> Result<PageForm, Error<DynBizCode>> {
        self.form_of(method, parts, options)
    }

    /// [`Client::page_url_with`] for parts that already passed their method's validation.
    #[allow(clippy::result_large_err)]
    pub fn page_url_raw(
        &self,
        method: &str,
        parts: &RequestParts,
        options: &RequestOptions,
    ) -> Result<String, Error<DynBizCode>> {
        self.sign_parts(method, parts, options, |s| s.page_url())
    }

    /// [`Client::app_order_string_with`] for parts that already passed their method's
    /// validation.
    #[allow(clippy::result_large_err)]
    pub fn app_order_string_raw(
        &self,
        method: &str,
        parts: &RequestParts,
        options: &RequestOptions,
    ) -> Result<String, Error<DynBizCode>> {
        self.sign_parts(method, parts, options, |s| s.all_params())
    }

    /// Refuses `M` unless its call style is among `allowed` (the client function `called`),
    /// validates `req`, signs it and renders it with `render`.
    fn sign_styled<M: Method, R>(
        &self,
        req: &M,
        options: &RequestOptions,
        called: &'static str,
        allowed: &[CallStyle],
        render: impl FnOnce(&Signed<'_>) -> R,
    ) -> Result<R, Error<M::BizError>> {
        check_call_style::<M>(called, allowed)?;
        let parts = req.validated_parts()?;
        self.sign_parts(M::METHOD, &parts, options, render)
    }

    /// Signs `parts` into a page form, with the line breaks of its values made CRLF first:
    /// a browser submits them so (see [`crate::page`]), and the signature must cover what
    /// the gateway receives.
    fn form_of<E: BizErrorCode>(
        &self,
        method: &str,
        parts: &RequestParts,
        options: &RequestOptions,
    ) -> Result<PageForm, Error<E>> {
        let parts = as_submitted(parts);
        self.sign_parts(method, &parts, options, |s| s.page_form())?
            .map_err(prepare_error)
    }
}

/// `parts` as a browser submits them from a form: every line break of `biz_content` and of
/// the form fields' values CRLF. Borrowed when none holds a line break (the usual case:
/// compact JSON escapes its line breaks).
fn as_submitted(parts: &RequestParts) -> Cow<'_, RequestParts> {
    let has_break = |text: &str| text.contains(['\r', '\n']);
    let breaks = parts.biz_content.as_deref().is_some_and(has_break)
        || parts.form.iter().any(|(_, value)| has_break(value));
    if !breaks {
        return Cow::Borrowed(parts);
    }
    Cow::Owned(RequestParts {
        biz_content: parts
            .biz_content
            .as_deref()
            .map(|text| crlf_line_breaks(text).into_owned()),
        form: parts
            .form
            .iter()
            .map(|(name, value)| (*name, crlf_line_breaks(value).into_owned()))
            .collect(),
        files: parts.files.clone(),
    })
}
