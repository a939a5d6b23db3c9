//! Building the SPA: cargo for wasm32, wasm-bindgen (the library, pinned to the same
//! version as the app's `wasm-bindgen`, so no separate tool install), `wasm-opt` when the
//! machine has it, then `frontend/dist/` with content-hashed asset names.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, ensure_wasm_target, root, run, target_dir};

/// FNV-1a: a stable content hash for cache-busting file names (not for security).
fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

fn have(tool: &Path) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A wasm-opt that reads current Rust output: binaryen from the npm registry (installed
/// into `frontend/node_modules` on first use), else `$WASM_OPT`, else none.
fn wasm_opt() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WASM_OPT").map(PathBuf::from) {
        return have(&p).then_some(p);
    }
    let local = root().join("frontend/node_modules/.bin/wasm-opt");
    if !have(&local) && have(Path::new("npm")) {
        let mut npm = Command::new("npm");
        npm.current_dir(root().join("frontend"))
            .args(["install", "--no-audit", "--no-fund"]);
        if run("npm install (binaryen's wasm-opt)", npm).is_err() {
            return None;
        }
    }
    have(&local).then_some(local)
}

/// Builds `frontend/dist/`. Returns its path.
pub fn build(release: bool) -> Result<PathBuf, String> {
    ensure_wasm_target()?;
    let mut build = cargo();
    build.args([
        "build",
        "-p",
        "xiangzhu-frontend",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    if release {
        build.args(["--profile", "wasm-release"]);
    }
    run("build the web app (wasm32)", build)?;
    let profile = if release { "wasm-release" } else { "debug" };
    let wasm = target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join("xiangzhu-frontend.wasm");

    let staging = target_dir().join("spa-staging");
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    eprintln!("\n==> wasm-bindgen --target web");
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .map_err(|e| e.to_string())?
        .out_name("app")
        .debug(!release)
        .generate(&staging)
        .map_err(|e| format!("wasm-bindgen: {e}"))?;

    let bg = staging.join("app_bg.wasm");
    let mut optimised = false;
    if release {
        match wasm_opt() {
            Some(tool) => {
                let mut opt = Command::new(tool);
                opt.arg("-Oz");
                for feature in [
                    "bulk-memory",
                    "reference-types",
                    "nontrapping-float-to-int",
                    "sign-ext",
                    "mutable-globals",
                    "multivalue",
                ] {
                    opt.arg(format!("--enable-{feature}"));
                }
                opt.arg(&bg).arg("-o").arg(&bg);
                // An optimiser failure costs size, not correctness: keep the unoptimised file.
                match run("wasm-opt -Oz", opt) {
                    Ok(()) => optimised = true,
                    Err(e) => eprintln!("(wasm-opt failed: {e}; the app is served unoptimised)"),
                }
            }
            None => eprintln!("(no wasm-opt found: the app is served unoptimised)"),
        }
    }

    let dist = root().join("frontend").join("dist");
    let assets = dist.join("assets");
    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(&assets).map_err(|e| e.to_string())?;
    let copy_hashed = |from: &Path, stem: &str, ext: &str| -> Result<String, String> {
        let bytes = fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
        let name = format!("{stem}-{}.{ext}", content_hash(&bytes));
        fs::write(assets.join(&name), bytes).map_err(|e| e.to_string())?;
        Ok(name)
    };
    let wasm_name = copy_hashed(&bg, "app", "wasm")?;
    let js_name = copy_hashed(&staging.join("app.js"), "app", "js")?;
    let css_name = copy_hashed(&root().join("frontend/static/style.css"), "style", "css")?;
    // The start-up script is a file of its own, so that the page's Content-Security-Policy
    // allows no inline script.
    let boot = staging.join("boot.js");
    fs::write(
        &boot,
        format!("import init from \"/assets/{js_name}\";\ninit({{ module_or_path: \"/assets/{wasm_name}\" }});\n"),
    )
    .map_err(|e| e.to_string())?;
    let boot_name = copy_hashed(&boot, "boot", "js")?;
    let index = format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>湘助 Xiangzhu</title>
<link rel="stylesheet" href="/assets/{css_name}">
<link rel="preload" href="/assets/{wasm_name}" as="fetch" type="application/wasm" crossorigin>
</head>
<body>
<div id="boot" class="boot" role="status"><span class="name">湘助</span>湖南省残疾人脱贫攻坚工作平台<div class="bar"></div>正在加载… Loading…</div>
<noscript>湘助需要启用 JavaScript。Xiangzhu needs JavaScript.</noscript>
<script type="module" src="/assets/{boot_name}"></script>
</body>
</html>
"#
    );
    fs::write(dist.join("index.html"), index).map_err(|e| e.to_string())?;
    for name in [&wasm_name, &js_name] {
        let size = fs::metadata(assets.join(name))
            .map(|m| m.len())
            .unwrap_or(0);
        eprintln!("   {name}: {size} bytes");
    }
    if optimised {
        check_budget(&assets.join(&wasm_name))?;
    }
    Ok(dist)
}

/// The most the optimised web app may weigh over the wire (gzip -9 of the wasm), in
/// bytes: today's size and a little room, so that each module's growth shows here and
/// a jump fails the test command. Raise it on purpose, in the commit that needs it.
///
/// Last raised from 1,400,000 for measures 7, 5 and 8 (1,493,059 B measured): the
/// cross-check page about 26 KB, the survey pages about 70 KB (round page with progress,
/// work and problem lists ~23 KB, survey form ~14 KB, household plan ~9 KB, rounds and
/// the round form ~5 KB, the outbox made generic over visits and surveys and the shared
/// types' deserialisers ~18 KB) and their zh/en texts; 6 KB of it was won back by
/// writing and reading dates without chrono's strftime.
pub const WASM_GZIP_BUDGET: u64 = 1_500_000;
/// Where the budget should get to (issue #15): about 3 s on a 1 Mbit/s village link.
pub const WASM_GZIP_GOAL: u64 = 400_000;

/// Fails when the optimised wasm, gzipped, is over [`WASM_GZIP_BUDGET`].
fn check_budget(wasm: &Path) -> Result<(), String> {
    use std::io::Write;
    let bytes = fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let zipped = gz.finish().map_err(|e| e.to_string())?.len() as u64;
    eprintln!(
        "   web app over the wire: {zipped} bytes gzip -9 (budget {WASM_GZIP_BUDGET}, goal {WASM_GZIP_GOAL}: {:.1}× the goal)",
        zipped as f64 / WASM_GZIP_GOAL as f64
    );
    if zipped > WASM_GZIP_BUDGET {
        return Err(format!(
            "the web app is {zipped} bytes gzipped, over its budget of {WASM_GZIP_BUDGET} \
             (xtask/src/frontend.rs): make it smaller, or raise the budget on purpose"
        ));
    }
    Ok(())
}
