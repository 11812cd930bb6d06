//! Printing the HTML report to PDF (A4, the page's own print styles) with headless
//! Chromium: Debian's `chromium` package (`apt-get install chromium fonts-noto-cjk`), or
//! the browser named by `LANDREUSE_CHROMIUM`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the browser is: `LANDREUSE_CHROMIUM`, else `chromium` or `chromium-browser` on
/// the PATH, else `/usr/bin/chromium`.
pub fn chromium() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("LANDREUSE_CHROMIUM") {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "LANDREUSE_CHROMIUM names {}, which is not a file",
                p.display()
            ))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Ok(debian);
    }
    Err(
        "a PDF is printed by headless Chromium, which is not installed: install Debian's \
         chromium and fonts-noto-cjk (scripts/setup.sh does), or set LANDREUSE_CHROMIUM to \
         a Chromium binary; the HTML format needs no browser"
            .into(),
    )
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("landreuse-print-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot make a scratch directory {}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What Chromium is asked to write.
pub enum Output<'a> {
    /// A PDF (A4 from the page's `@page` rule, no header or footer).
    Pdf(&'a Path),
    /// A PNG screenshot of the first `height` pixels at `width` pixels wide.
    Png(&'a Path, u32, u32),
}

/// Renders `html` with headless Chromium into `out`.
pub fn render(html: &str, out: &Output<'_>) -> Result<(), String> {
    let browser = chromium()?;
    let scratch = Scratch::new()?;
    let page = scratch.0.join("report.html");
    std::fs::write(&page, html).map_err(|e| format!("cannot write {}: {e}", page.display()))?;
    let target = match &out {
        Output::Pdf(p) | Output::Png(p, _, _) => absolute(p)?,
    };
    let mut cmd = Command::new(&browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--no-first-run",
        "--hide-scrollbars",
    ])
    .arg(format!(
        "--user-data-dir={}",
        scratch.0.join("profile").display()
    ));
    match out {
        Output::Pdf(_) => {
            cmd.arg("--no-pdf-header-footer")
                .arg(format!("--print-to-pdf={}", target.display()));
        }
        Output::Png(_, w, h) => {
            cmd.arg(format!("--window-size={w},{h}"))
                .arg(format!("--screenshot={}", target.display()));
        }
    }
    cmd.arg(format!("file://{}", page.display()));
    let _ = std::fs::remove_file(&target);
    let result = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", browser.display()))?;
    let written = std::fs::metadata(&target).map_or(0, |m| m.len());
    if written == 0 {
        let stderr = String::from_utf8_lossy(&result.stderr);
        let last: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!(
            "{} wrote nothing to {} (exit {}); it said: {}",
            browser.display(),
            target.display(),
            result.status,
            last.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ));
    }
    Ok(())
}

fn absolute(p: &Path) -> Result<PathBuf, String> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    std::env::current_dir()
        .map(|d| d.join(p))
        .map_err(|e| format!("cannot resolve {}: {e}", p.display()))
}
