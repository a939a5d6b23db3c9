//! Adding evidence photos to a record from a phone: take a picture with the camera or
//! choose a file, scaled down in the browser (longest side 1,600 px, JPEG), uploaded
//! with progress under an id chosen here (a retry after a dropped connection cannot
//! make a second copy), shown as a thumbnail once stored. The file's own time (for a
//! camera picture, when it was taken) goes with it as `taken_at`.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use shared::attachments::{AttachmentMeta, AttachmentUpload, OwnerKind};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlInputElement};
use yew::prelude::*;

use crate::api::attachments::{scale_down, thumbnail_url, upload};
use crate::app::Ctx;
use crate::i18n::Lang;

/// Where one photo is.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    /// Being scaled down.
    Preparing,
    /// On its way; percent sent.
    Uploading(u8),
    /// Stored.
    Done,
    /// Failed, with the message to show.
    Failed(String),
}

/// One photo the user added.
#[derive(Debug, Clone, PartialEq)]
struct Photo {
    /// The attachment id, kept across retries.
    id: Uuid,
    /// The file's name on the device.
    name: String,
    /// What is sent (kept for a retry).
    body: Option<Blob>,
    /// When the picture was taken, as far as the device knows.
    taken_at: Option<DateTime<Utc>>,
    stage: Stage,
    /// Object URL of the stored thumbnail.
    thumbnail: Option<String>,
}

/// The photos of this upload box, newest last.
#[derive(Debug, Default, PartialEq)]
struct Photos(Vec<Photo>);

enum Action {
    Add {
        id: Uuid,
        name: String,
        taken_at: Option<DateTime<Utc>>,
    },
    Ready {
        id: Uuid,
        body: Blob,
    },
    Progress {
        id: Uuid,
        percent: u8,
    },
    Done {
        id: Uuid,
    },
    Thumbnail {
        id: Uuid,
        url: String,
    },
    Failed {
        id: Uuid,
        message: String,
    },
}

impl Reducible for Photos {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut photos = self.0.clone();
        let id = match &action {
            Action::Add { id, name, taken_at } => {
                photos.push(Photo {
                    id: *id,
                    name: name.clone(),
                    body: None,
                    taken_at: *taken_at,
                    stage: Stage::Preparing,
                    thumbnail: None,
                });
                return Rc::new(Photos(photos));
            }
            Action::Ready { id, .. }
            | Action::Progress { id, .. }
            | Action::Done { id }
            | Action::Thumbnail { id, .. }
            | Action::Failed { id, .. } => *id,
        };
        let Some(photo) = photos.iter_mut().find(|p| p.id == id) else {
            return self;
        };
        match action {
            Action::Add { .. } => {}
            Action::Ready { body, .. } => {
                photo.body = Some(body);
                photo.stage = Stage::Uploading(0);
            }
            Action::Progress { percent, .. } => photo.stage = Stage::Uploading(percent),
            Action::Done { .. } => photo.stage = Stage::Done,
            Action::Thumbnail { url, .. } => photo.thumbnail = Some(url),
            Action::Failed { message, .. } => photo.stage = Stage::Failed(message),
        }
        Rc::new(Photos(photos))
    }
}

/// Props of [`PhotoUpload`].
#[derive(Properties, PartialEq, Clone)]
pub struct PhotoUploadProps {
    /// The kind of record the photos belong to.
    pub owner_type: OwnerKind,
    /// The record.
    pub owner_id: Uuid,
    /// What the photos are of ("残疾证照片", "改造前后照片").
    pub label: AttrValue,
    /// Runs for each photo once it is stored.
    pub on_uploaded: Callback<AttachmentMeta>,
    /// Element id prefix, when one page has more than one upload box for a record.
    #[prop_or_default]
    pub id: Option<AttrValue>,
}

/// Everything one upload needs, cloned into its task.
#[derive(Clone)]
struct Job {
    dispatch: UseReducerDispatcher<Photos>,
    owner_type: OwnerKind,
    owner_id: Uuid,
    on_uploaded: Callback<AttachmentMeta>,
    lang: Lang,
    urls: Rc<RefCell<Vec<String>>>,
}

impl Job {
    /// Uploads (or uploads again) one prepared photo under its id.
    fn send(self, id: Uuid, body: Blob, taken_at: Option<DateTime<Utc>>) {
        wasm_bindgen_futures::spawn_local(async move {
            let d = self.dispatch.clone();
            d.dispatch(Action::Ready {
                id,
                body: body.clone(),
            });
            let query = AttachmentUpload {
                owner_type: self.owner_type,
                owner_id: self.owner_id,
                id: Some(id),
                taken_at,
                latitude: None,
                longitude: None,
            };
            let progress = {
                let d = d.clone();
                Callback::from(move |percent| d.dispatch(Action::Progress { id, percent }))
            };
            match upload(&query, &body, progress).await {
                Ok(meta) => {
                    d.dispatch(Action::Done { id });
                    self.on_uploaded.emit(meta.clone());
                    if meta.has_thumbnail {
                        if let Ok(url) = thumbnail_url(meta.id).await {
                            self.urls.borrow_mut().push(url.clone());
                            d.dispatch(Action::Thumbnail { id, url });
                        }
                    }
                }
                Err(e) => d.dispatch(Action::Failed {
                    id,
                    message: e.message(self.lang),
                }),
            }
        });
    }

    /// Scales a chosen file down (or keeps it as it is when the browser cannot read it
    /// as a picture, e.g. a PDF: the server decides) and uploads it.
    fn add(self, file: web_sys::File) {
        let id = Uuid::new_v4();
        let taken_at = taken_at(&file);
        self.dispatch.dispatch(Action::Add {
            id,
            name: file.name(),
            taken_at,
        });
        wasm_bindgen_futures::spawn_local(async move {
            let original: Blob = file.unchecked_into();
            let body = scale_down(&original).await.unwrap_or(original);
            self.send(id, body, taken_at);
        });
    }
}

/// The file's last-modified time (a camera picture's capture time), unless it lies
/// in the future (a phone with a wrong clock): the server refuses those.
fn taken_at(file: &web_sys::File) -> Option<DateTime<Utc>> {
    let millis = file.last_modified();
    if !millis.is_finite() || millis <= 0.0 || millis > js_sys::Date::now() {
        return None;
    }
    // A finite, positive number of milliseconds before now: fits an i64.
    DateTime::from_timestamp_millis(millis as i64)
}

/// Two ways to add photos (the camera, or a file), and each photo's progress, outcome
/// and thumbnail.
#[function_component(PhotoUpload)]
pub fn photo_upload(p: &PhotoUploadProps) -> Html {
    let ctx = use_context::<Ctx>();
    let photos = use_reducer(Photos::default);
    let urls = use_mut_ref(Vec::<String>::new);
    {
        // Thumbnails are object URLs: free them with the component.
        let urls = urls.clone();
        use_effect_with((), move |()| {
            move || {
                for url in urls.borrow_mut().drain(..) {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
            }
        });
    }
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let job = Job {
        dispatch: photos.dispatcher(),
        owner_type: p.owner_type,
        owner_id: p.owner_id,
        on_uploaded: p.on_uploaded.clone(),
        lang,
        urls,
    };
    let prefix =
        p.id.clone()
            .unwrap_or_else(|| AttrValue::from(format!("photo-{}", p.owner_id)));
    let onchange = {
        let job = job.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(files) = input.files() {
                for i in 0..files.length() {
                    if let Some(file) = files.get(i) {
                        job.clone().add(file);
                    }
                }
            }
            // The same file may be chosen again (after a failure, say).
            input.set_value("");
        })
    };
    let camera = format!("{prefix}-camera");
    let pick = format!("{prefix}-pick");
    html! {
        <fieldset class="photo-upload">
            <legend>{ p.label.clone() }</legend>
            <div class="buttons">
                <input id={camera.clone()} class="file-input" type="file" accept="image/*"
                    capture="environment" onchange={onchange.clone()} />
                <label class="button primary" for={camera}>{ lang.t("photo.take") }</label>
                <input id={pick.clone()} class="file-input" type="file"
                    accept="image/*,application/pdf" multiple=true onchange={onchange} />
                <label class="button" for={pick}>{ lang.t("photo.choose") }</label>
            </div>
            if !photos.0.is_empty() {
                <ul class="photos">
                    { for photos.0.iter().map(|photo| photo_view(photo, &job, lang)) }
                </ul>
            }
        </fieldset>
    }
}

fn photo_view(photo: &Photo, job: &Job, lang: Lang) -> Html {
    let picture = match &photo.thumbnail {
        Some(url) => html! {
            <img src={url.clone()} alt={format!("{}{}", lang.t("photo.thumbnail"), photo.name)} />
        },
        None => html! { <span class="placeholder" aria-hidden="true">{ "▢" }</span> },
    };
    // One live region per photo whose text changes, so that each step is announced.
    let (text, class) = match &photo.stage {
        Stage::Preparing => (lang.t("photo.preparing"), "status"),
        Stage::Uploading(_) => (lang.t("photo.uploading"), "status"),
        Stage::Done => (lang.t("photo.done"), "status"),
        Stage::Failed(message) => (
            format!("{}{}", lang.t("photo.failed"), message),
            "status error",
        ),
    };
    let retry = {
        let (job, id, body, taken_at) = (job.clone(), photo.id, photo.body.clone(), photo.taken_at);
        Callback::from(move |_: MouseEvent| {
            if let Some(body) = body.clone() {
                job.clone().send(id, body, taken_at);
            }
        })
    };
    html! {
        <li key={photo.id.to_string()}>
            { picture }
            <div class="photo-state">
                <span class="name">{ photo.name.clone() }</span>
                if let Stage::Uploading(percent) = photo.stage {
                    <progress max="100" value={percent.to_string()}
                        aria-label={format!("{}{}", lang.t("photo.progress"), photo.name)}>
                        { format!("{percent}%") }
                    </progress>
                }
                <p class={class} aria-live="polite">{ text }</p>
                if matches!(photo.stage, Stage::Failed(_)) {
                    <button type="button" onclick={retry} disabled={photo.body.is_none()}>
                        { lang.t("photo.retry") }
                    </button>
                }
            </div>
        </li>
    }
}
