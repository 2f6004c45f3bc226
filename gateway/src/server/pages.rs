//! What the gateway's HTML pages share: the document around a body, one small stylesheet, and
//! a `qr_code` drawn as a scannable QR image. Every value written into a page is escaped by
//! its caller (`html_escape`); the SVG of a QR image holds only its modules.

use html_escape::encode_text as text;
use qrcode::QrCode;
use qrcode::render::svg;

/// The pages' stylesheet: a cashier's look (the amount first, large; the order's details in a
/// list; clear buttons), and the dashboard's tables.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;\
margin:0;background:#f5f6f8;color:#1f2329}\
header{background:#1677ff;color:#fff;padding:12px 24px;font-size:18px}\
header small{opacity:.8;margin-left:12px;font-size:13px}\
main{max-width:1100px;margin:24px auto;padding:0 16px}\
.card{background:#fff;border-radius:8px;padding:20px 24px;margin-bottom:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}\
.amount{font-size:40px;font-weight:600;margin:8px 0 16px}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0}dt{color:#8a8f99}dd{margin:0}\
button{font-size:16px;padding:10px 28px;border-radius:6px;border:1px solid #1677ff;cursor:pointer;margin-right:12px}\
button.primary{background:#1677ff;color:#fff}button.secondary{background:#fff;color:#1677ff}\
form{display:inline}\
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eceef1;vertical-align:top}\
th{color:#8a8f99;font-weight:500}\
.ok{color:#1a7f37}.bad{color:#cf222e}.wait{color:#9a6700}\
.qr svg{width:200px;height:200px}\
.test{color:#cf222e;font-size:13px}";

/// A whole page: `title` escaped, `body` as given (already escaped by the caller).
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<link rel=\"icon\" href=\"data:,\">\
<title>{}</title><style>{STYLE}</style></head>\n<body>\n\
<header>支付宝<small>local Alipay gateway · TEST ONLY: no money moves</small></header>\n\
<main>\n{body}</main>\n</body>\n</html>\n",
        text(title)
    )
}

/// `data` as a QR image, an inline SVG element (the code a buyer's phone scans), or an empty
/// string when `data` is too long for a QR code.
pub(crate) fn qr_svg(data: &str) -> String {
    match QrCode::new(data.as_bytes()) {
        Ok(code) => {
            let image = code
                .render::<svg::Color<'_>>()
                .quiet_zone(true)
                .min_dimensions(200, 200)
                .build();
            // The element alone, without the XML declaration a file would start with.
            image
                .find("<svg")
                .map(|at| image[at..].to_owned())
                .unwrap_or_default()
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_escapes_its_title_and_a_qr_code_is_an_svg() {
        let shown = page("<script>", "<p>body</p>");
        assert!(shown.contains("<title>&lt;script&gt;</title>"));
        assert!(shown.contains("<p>body</p>"));
        let svg = qr_svg("http://127.0.0.1:8080/qr/c6ded9083348aad4220e8f7828bb2821");
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
        // A text no QR code holds gives no image rather than a broken one.
        assert_eq!(qr_svg(&"x".repeat(8000)), "");
    }
}
