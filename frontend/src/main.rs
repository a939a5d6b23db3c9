//! Xiangzhu's web app: a yew single-page app on the REST API, zh-CN first.

mod api;
mod app;
mod clock;
mod components;
mod hooks;
mod i18n;
mod pages;

fn main() {
    // index.html shows the app's name and a progress bar in plain HTML while the app
    // downloads; the app takes its place.
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if let Some(boot) = doc.get_element_by_id("boot") {
            boot.remove();
        }
    }
    yew::Renderer::<app::App>::new().render();
}
