//! The command palette (`:`), k9s-style: type a view (`:failed`, `:history`, a saved
//! view's name), a command from the key registry (`:advance`, `:metrics`, `:quit`), or a
//! build id (`:atlas-42` goes to it, held or not). Candidates complete as you type; `Tab`
//! takes the selected one's word, `↑`/`↓` choose, `Enter` runs it. Commands run through the
//! same path as their keys, so read-only and time travel refuse what they refuse there.

use super::app::App;
use super::keys::{self, Binding, Does};
use super::msg::Cmd;
use super::text_field::{Edit, TextField};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// At most this many candidates are listed.
pub const SHOWN: usize = 8;

#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    pub field: TextField,
    pub selected: usize,
}

/// What a word of the palette does.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Binding(&'static str),
    Saved(String),
    Workflow(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub word: String,
    pub about: String,
    pub target: Target,
}

/// What the palette wants after a key.
pub enum Step {
    Open(Palette),
    Closed(Vec<Cmd>),
}

impl Palette {
    pub fn new() -> Palette {
        Palette {
            field: TextField::with(""),
            selected: 0,
        }
    }
}

impl Default for Palette {
    fn default() -> Palette {
        Palette::new()
    }
}

/// A binding's palette word: a view by its name (`failed`), anything else by its name with
/// dashes (`saved-views`).
fn word(b: &Binding) -> String {
    b.name
        .strip_prefix("view ")
        .unwrap_or(b.name)
        .replace(' ', "-")
}

/// The candidates for `text`: words starting with it first, then words containing it;
/// views and saved views, then commands, then build ids of held workflows.
pub fn candidates(app: &App, text: &str) -> Vec<Candidate> {
    let q = text.trim().to_lowercase();
    let mut all: Vec<Candidate> = Vec::new();
    for (_, b) in keys::all() {
        if matches!(b.does, Does::Move(_)) || b.name == "back" {
            continue;
        }
        all.push(Candidate {
            word: word(b),
            about: b.help.to_string(),
            target: Target::Binding(b.name),
        });
    }
    for (name, filter) in app.table().saved() {
        all.push(Candidate {
            word: name.clone(),
            about: format!("saved view: {filter}"),
            target: Target::Saved(name.clone()),
        });
    }
    // Views first: they are what a palette is mostly for.
    all.sort_by_key(|c| !matches!(&c.target, Target::Binding(n) if n.starts_with("view ")));
    let mut out: Vec<Candidate> = all
        .iter()
        .filter(|c| c.word.to_lowercase().starts_with(&q))
        .cloned()
        .collect();
    out.extend(
        all.iter()
            .filter(|c| !q.is_empty() && !c.word.to_lowercase().starts_with(&q))
            .filter(|c| c.word.to_lowercase().contains(&q))
            .cloned(),
    );
    if !q.is_empty() {
        let mut builds: Vec<Candidate> = app
            .held()
            .rows()
            .iter()
            .filter(|r| r.wf.build_id().to_lowercase().starts_with(&q))
            .map(|r| Candidate {
                word: r.wf.build_id().into(),
                about: format!("go to it: {} in {}", r.wf.status(), r.wf.current_state()),
                target: Target::Workflow(r.id().to_string()),
            })
            .collect();
        builds.sort_by(|a, b| a.word.cmp(&b.word));
        out.extend(builds.into_iter().take(SHOWN));
    }
    out.truncate(SHOWN);
    out
}

/// Handles a key in the palette.
pub fn on_key(app: &mut App, mut p: Palette, k: &KeyEvent) -> Step {
    let shown = candidates(app, p.field.text());
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Up => p.selected = p.selected.saturating_sub(1),
        KeyCode::Char('p') if ctrl => p.selected = p.selected.saturating_sub(1),
        KeyCode::Down => p.selected = (p.selected + 1).min(shown.len().saturating_sub(1)),
        KeyCode::Char('n') if ctrl => {
            p.selected = (p.selected + 1).min(shown.len().saturating_sub(1));
        }
        KeyCode::Tab => {
            if let Some(c) = shown.get(p.selected) {
                p.field = TextField::with(&c.word);
                p.selected = 0;
            }
        }
        KeyCode::Enter => return Step::Closed(run(app, &p, &shown)),
        _ => match p.field.on_key(k) {
            Edit::Cancel => return Step::Closed(Vec::new()),
            Edit::Changed => p.selected = 0,
            Edit::Submit | Edit::Moved | Edit::Ignored => {}
        },
    }
    Step::Open(p)
}

/// Runs the selected candidate; with none, the text is taken for a workflow to go to (an
/// id, a unique id prefix or a build id: the worker looks it up).
fn run(app: &mut App, p: &Palette, shown: &[Candidate]) -> Vec<Cmd> {
    let text = p.field.text().trim().to_string();
    let exact = shown
        .iter()
        .find(|c| c.word.eq_ignore_ascii_case(&text))
        .or_else(|| shown.get(p.selected));
    match exact.map(|c| &c.target) {
        Some(Target::Binding(name)) => match keys::all().find(|(_, b)| b.name == *name) {
            Some((_, b)) => super::update::run_binding(app, b),
            None => Vec::new(),
        },
        Some(Target::Saved(name)) => {
            app.apply_saved_view(name);
            Vec::new()
        }
        Some(Target::Workflow(id)) => app.jump_to_workflow(id),
        None if text.is_empty() => Vec::new(),
        None => vec![Cmd::Resolve(text)],
    }
}
