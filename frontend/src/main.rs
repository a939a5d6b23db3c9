//! Xiangzhu's web app: a yew single-page app on the REST API, zh-CN first.

mod api;
mod app;
mod components;
mod hooks;
mod i18n;
mod pages;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
