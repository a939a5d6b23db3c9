//! The browser-test harness shared by the end-to-end test files in `tests/tests/`:
//! the real server with the built SPA on a free port, Debian's headless Chromium through
//! chromedriver, and the checks every page must pass (axe-core, no English in zh).
//!
//! Needs `frontend/dist` (`cargo xtask build-frontend`), `/usr/bin/chromium`,
//! `/usr/bin/chromedriver` and `tests/e2e/node_modules/axe-core` — `cargo xtask test`
//! provides all of them; `.ci/run` installs the browser.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actix_web::HttpServer;
use backend::testing::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long a test waits for an element.
pub const WAIT: Duration = Duration::from_secs(15);

/// One browser at a time: two at once would starve two cores.
pub static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A TCP port free at the moment of asking.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// The chromedriver process, killed on drop.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts chromedriver and a headless Chromium with a fresh profile at this window size.
pub async fn browser(width: u32, height: u32) -> (Client, Driver, tempdir::Dir) {
    let port = free_port();
    let chromedriver =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("starting {chromedriver} (apt-get install chromium-driver): {e}")
        });
    let driver = Driver(child);
    let profile = tempdir::Dir::new();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-extensions", "--lang=zh-CN",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    let caps: serde_json::Map<String, Value> = caps.as_object().cloned().unwrap_or_default();
    let mut last = String::new();
    for _ in 0..100 {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return (c, driver, profile),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not reach chromedriver: {last}");
}

/// A private temporary directory, removed on drop.
pub mod tempdir {
    /// A directory removed on drop.
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        /// Creates a fresh directory under the system temp dir.
        pub fn new() -> Self {
            let p = std::env::temp_dir()
                .join(format!("xiangzhu-e2e-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("{e}"));
            Self(p)
        }
        /// Its path.
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Default for Dir {
        fn default() -> Self {
            Self::new()
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Starts the real HTTP server with the built SPA on a free port.
pub fn serve(app: &TestApp) -> (String, actix_web::dev::ServerHandle) {
    let dist = root().join("frontend/dist");
    assert!(
        dist.join("index.html").exists(),
        "no built SPA in {}: run `cargo xtask build-frontend`",
        dist.display()
    );
    let state = app.state.clone();
    let server = HttpServer::new(move || {
        backend::server::app(state.clone()).configure(backend::spa::configure(&dist))
    })
    .workers(2)
    .bind(("127.0.0.1", 0))
    .unwrap_or_else(|e| panic!("{e}"));
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{addr}"), handle)
}

/// Goes to `path` under `base`.
pub async fn open(c: &Client, base: &str, path: &str) {
    c.goto(&format!("{base}{path}"))
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
}

/// What the input with element id `id` holds now ("" when there is none).
pub async fn value_of(c: &Client, id: &str) -> String {
    c.execute(
        "const e = document.getElementById(arguments[0]); return e ? e.value : '';",
        vec![json!(id)],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_owned))
    .unwrap_or_default()
}

/// The text of the first element matching `css`, waiting for it to appear.
pub async fn text_of(c: &Client, css: &str) -> String {
    let el = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"));
    el.text().await.unwrap_or_default()
}

/// Waits until the element's text contains `needle`.
pub async fn wait_text(c: &Client, css: &str, needle: &str) {
    let mut seen = String::new();
    for _ in 0..150 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            seen = el.text().await.unwrap_or_default();
            if seen.contains(needle) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = page_text(c).await;
    panic!("{css} never contained {needle:?}; last text: {seen:?}; the page said: {page}");
}

/// What the page shows (its body's text, at most 2,000 characters), to say what a
/// failed wait saw instead.
pub async fn page_text(c: &Client) -> String {
    body_text(c).await.chars().take(2000).collect()
}

/// The text of the page's body.
async fn body_text(c: &Client) -> String {
    c.execute(
        "return document.body ? document.body.innerText : '';",
        vec![],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_owned))
    .unwrap_or_default()
}

/// Clears the input matching `css` and types `text`.
pub async fn fill(c: &Client, css: &str, text: &str) {
    let el = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.unwrap_or_else(|e| panic!("{e}"));
    el.send_keys(text).await.unwrap_or_else(|e| panic!("{e}"));
}

/// Types `text` into a field that appeared with the last change and waits until the
/// form keeps it. WebDriver types within milliseconds of the field appearing, before
/// the page has finished the render that change started, which can put the field
/// back to what the form held (CI lost the housing note this way twice: the save was
/// refused with "必填" next to it); a person cannot type that fast.
pub async fn fill_and_keep(c: &Client, css: &str, text: &str) {
    for _ in 0..5 {
        fill(c, css, text).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let kept = c
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        if kept.as_str() == Some(text) {
            return;
        }
    }
    panic!("{css} never kept {text:?}");
}

/// Clicks the element matching `css`, waiting for it to appear.
pub async fn click(c: &Client, css: &str) {
    let el = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

/// Runs axe-core on the page; fails on serious or critical violations.
pub async fn check_accessibility(c: &Client, page: &str) {
    let axe_path = root().join("tests/e2e/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path)
        .unwrap_or_else(|e| panic!("{}: {e} (npm install in tests/e2e)", axe_path.display()));
    c.execute(&axe, vec![])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) }))))
               .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let serious: Vec<&Value> = result
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        serious.is_empty(),
        "accessibility violations on {page}: {}",
        serde_json::to_string_pretty(&serious).unwrap_or_default()
    );
    // Every page checked while the app is in Chinese is also read for English left over
    // (a server message, a browser bubble's text, a missing translation).
    let lang = c
        .execute("return document.documentElement.lang;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    if lang == "zh-CN" {
        assert_no_english(c, page).await;
    }
}

/// Saves a screenshot under `target/e2e-screenshots/` for people to look at.
pub async fn shot(c: &Client, name: &str) {
    let dir = root().join("target/e2e-screenshots");
    if let (Ok(png), Ok(())) = (c.screenshot().await, std::fs::create_dir_all(&dir)) {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// Logs in as a demo user (password `xiangzhu-demo`) through the login page.
pub async fn login(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/login"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    fill(c, "#username", user).await;
    fill(c, "#password", "xiangzhu-demo").await;
    click(c, "#login-submit").await;
    wait_text(c, "header.top", "退出登录").await;
}

/// Logs out through the header and waits for the login page.
pub async fn logout(c: &Client) {
    click(c, "header nav button.link").await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#username"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Chooses `value` in the select with this id (as a user would, with a change event).
pub async fn select(c: &Client, id: &str, value: &str) {
    // Wait for the option itself: lists filled from the server (units, the device
    // catalogue) arrive after their select, and setting a value a select does not offer
    // yet silently leaves it empty.
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "[id='{id}'] option[value='{value}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("{id} has no option {value}: {e}"));
    let script = "const el = document.getElementById(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('change', { bubbles: true }));";
    c.execute(script, vec![json!(id), json!(value)])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Sets a date input by id (typing dates is locale-dependent in Chromium).
pub async fn set_date(c: &Client, id: &str, date: &str) {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let script = "const el = document.getElementById(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true }));";
    c.execute(script, vec![json!(id), json!(date)])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// English phrases the server or the browser could put on a page: three or more words
/// of Latin letters in a row. In the Chinese UI none may appear (user-entered data in the
/// tests is Chinese; the language switch says "English", one word).
pub async fn assert_no_english(c: &Client, page: &str) {
    let text = body_text(c).await;
    let found = english_phrases(&text);
    assert!(
        found.is_empty(),
        "English on the Chinese page {page}: {found:?}\n{text}"
    );
}

/// Runs of three or more Latin words (two letters or more) in `text`, separated only by
/// spaces and light punctuation: what an untranslated sentence looks like.
pub fn english_phrases(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut run = String::new();
    let mut flush = |run: &mut String| {
        let words = run
            .split(|ch: char| !ch.is_ascii_alphabetic())
            .filter(|w| w.len() >= 2)
            .count();
        if words >= 3 {
            found.push(run.trim().to_owned());
        }
        run.clear();
    };
    for ch in text.chars() {
        if ch.is_ascii_alphabetic() || (!run.is_empty() && " '(),.:".contains(ch)) {
            run.push(ch);
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    found
}

/// Fails when the page scrolls sideways (wider than the viewport).
pub async fn assert_no_sideways_scroll(c: &Client, page: &str) {
    let wide = c
        .execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth + 1;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    assert!(!wide, "{page} scrolls sideways");
}

/// The checks every page passes: axe-core, nothing sideways, and in Chinese no English
/// (`zh` says which language the test expects the page in).
pub async fn check_page(c: &Client, page: &str, zh: bool) {
    check_accessibility(c, page).await;
    assert_no_sideways_scroll(c, page).await;
    let lang = c
        .execute("return document.documentElement.lang;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    assert_eq!(lang == "zh-CN", zh, "{page} is in the expected language");
}

#[cfg(test)]
mod tests {
    #[test]
    fn english_sentences_are_found_and_names_are_not() {
        let found = super::english_phrases(
            "请更正 1 field(s) are not valid。没有 no programme is set up for 2026",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(super::english_phrases("English 湘乡市 xiangxiang.staff 办理 Please").is_empty());
    }
}
