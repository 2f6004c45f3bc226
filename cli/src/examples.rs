//! The examples each command's help ends with: real command lines. Most talk to the local
//! gateway started as in `alipay gateway --help` (`--keys-dir gw`: its throwaway keys and the
//! ready client config `gw/alipay.toml`). The unit tests parse every line that starts with
//! `alipay `, so an example cannot fall out of step with the flags.

/// `alipay --help`.
pub const CLI: &str = "\
Examples:
  # The quickstart: a local gateway, calls, and what each failure looks like:
  alipay demo
  # A local gateway with throwaway keys, writing a ready client config into gw/:
  alipay gateway --port 8080 --keys-dir gw
  # A call to it, from another terminal:
  alipay call alipay.trade.precreate --config gw/alipay.toml --biz-content '{\"out_trade_no\":\"T1\",\"total_amount\":\"0.01\",\"subject\":\"Tea\"}'
  alipay methods | grep '^alipay\\.trade\\.'
  alipay completions bash > ~/.local/share/bash-completion/completions/alipay

Run `alipay help <COMMAND>` for each command's flags and examples.";

/// `alipay call --help`.
pub const CALL: &str = "\
Examples:
  # Against the local gateway (`alipay gateway --port 8080 --keys-dir gw` in another terminal):
  alipay call alipay.trade.precreate --config gw/alipay.toml --biz-content '{\"out_trade_no\":\"T1\",\"total_amount\":\"0.01\",\"subject\":\"Tea\"}'
  # biz_content read from a file (a trade nobody paid: exit 3, a verified business error):
  alipay call alipay.trade.query --config gw/alipay.toml --biz-content @query.json
  # Over the v3 protocol (the method's REST route, signed in headers):
  alipay call alipay.trade.query --config gw/alipay.toml --protocol v3 --biz-content '{\"out_trade_no\":\"T1\"}'
  # A method with form fields outside biz_content and a file upload:
  alipay call alipay.offline.material.image.upload --config gw/alipay.toml --form image_type=jpg --form image_name=shop --file image_content=@shop.jpg
  # Alipay's sandbox, with your own keys (./alipay.toml is read when it exists):
  alipay call alipay.trade.query --gateway sandbox --app-id 2021000000000000 --private-key app_private.pem --alipay-public-key alipay_public.pem --biz-content '{\"out_trade_no\":\"T1\"}'";

/// `alipay page --help`.
pub const PAGE: &str = "\
Examples:
  # The auto-submitting HTML form for the buyer's browser:
  alipay page alipay.trade.page.pay --config gw/alipay.toml --biz-content '{\"out_trade_no\":\"T1\",\"total_amount\":\"0.01\",\"subject\":\"Tea\",\"product_code\":\"FAST_INSTANT_TRADE_PAY\"}' --return-url https://shop.example/r > pay.html
  # The signed URL instead (GET):
  alipay page alipay.trade.wap.pay --config gw/alipay.toml --http-method GET --biz-content '{\"out_trade_no\":\"T2\",\"total_amount\":\"0.01\",\"subject\":\"Tea\",\"product_code\":\"QUICK_WAP_WAY\"}'";

/// `alipay sdk --help`.
pub const SDK: &str = "\
Examples:
  # The order string for the Alipay app SDK:
  alipay sdk alipay.trade.app.pay --config gw/alipay.toml --biz-content '{\"out_trade_no\":\"T3\",\"total_amount\":\"0.01\",\"subject\":\"Tea\",\"product_code\":\"QUICK_MSECURITY_PAY\"}' --notify-url https://shop.example/n";

/// `alipay methods --help`.
pub const METHODS: &str = "\
Examples:
  alipay methods
  # The trade methods, and the protocols each can be called over:
  alipay methods | grep '^alipay\\.trade\\.'
  # With the methods of your own specs (over the built-in ones):
  alipay methods --specs my-specs";

/// `alipay gateway --help`.
pub const GATEWAY: &str = "\
Examples:
  # Throwaway keys and a ready client config written into gw/ (a new folder):
  alipay gateway --port 8080 --keys-dir gw
  # Certificate mode: a throwaway PKI, certificates checked on every request:
  alipay gateway --port 8080 --keys-dir gw-cert --cert-mode
  # AES content encryption (the key is written into the client config too):
  alipay gateway --port 8080 --keys-dir gw-aes --encrypt-key \"$(openssl rand -base64 16)\"
  # The answers chosen by a scenario file:
  alipay gateway --port 8080 --scenario scenario.toml
  # Your own keys, one app id:
  alipay gateway --port 8080 --app-public-key app_public.pem --alipay-private-key alipay_private.pem --app-id 2021000000000000";

/// `alipay cert-sn --help`.
pub const CERT_SN: &str = "\
Examples:
  # app_cert_sn of the app certificate (`alipay gateway --cert-mode --keys-dir gw-cert` writes
  # test ones: gw-cert/app_cert.crt, gw-cert/alipay_root_cert.crt):
  alipay cert-sn appCertPublicKey_2021000000000000.crt
  # alipay_root_cert_sn of the root bundle:
  alipay cert-sn --root alipayRootCert.crt";

/// `alipay demo --help`.
pub const DEMO: &str = "\
Examples:
  alipay demo";

/// `alipay notify --help`.
pub const NOTIFY: &str = "\
Examples:
  alipay notify verify --config alipay.toml --body @notification.txt";

/// `alipay notify verify --help`.
pub const NOTIFY_VERIFY: &str = "\
Examples:
  # The body as POSTed to notify_url, saved to a file:
  alipay notify verify --config alipay.toml --body @notification.txt
  # ...or on standard input:
  alipay notify verify --config alipay.toml < notification.txt";

/// `alipay completions --help`.
pub const COMPLETIONS: &str = "\
Examples:
  alipay completions bash > ~/.local/share/bash-completion/completions/alipay
  alipay completions zsh > ~/.zfunc/_alipay
  alipay completions fish > ~/.config/fish/completions/alipay.fish";
