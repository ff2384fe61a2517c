//! Snapshot tests of the screen over ratatui's `TestBackend`, plus checks that hostile text
//! is drawn inert, that colour-free rendering still marks what matters, and that no terminal
//! size panics.

use super::app::{App, Overlay};
use super::msg::{Delta, Msg};
use super::pane::{detail, workflows};
use super::testing::{self, app};
use super::update::update;
use super::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| view::draw(f, app)).expect("draw");
    t
}

fn text(buf: &Buffer) -> String {
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// The fixture with atlas-101 selected and its history loaded.
fn with_detail(w: u16, h: u16) -> App {
    opened_with_detail(false, w, h)
}

fn opened_with_detail(read_only: bool, w: u16, h: u16) -> App {
    let mut a = testing::opened(read_only);
    a.screen_mut().resize(w, h);
    let d = testing::atlas_detail(&a);
    update(&mut a, d);
    a
}

#[test]
fn main_screen_80x24() {
    insta::assert_snapshot!(render(&with_detail(80, 24), 80, 24).backend());
}

#[test]
fn main_screen_160x48() {
    insta::assert_snapshot!(render(&with_detail(160, 48), 160, 48).backend());
}

#[test]
fn zoomed_detail() {
    let mut a = with_detail(100, 30);
    a.screen_mut().focus_on(detail::ID);
    a.screen_mut().set_zoomed(true);
    insta::assert_snapshot!(render(&a, 100, 30).backend());
}

#[test]
fn read_only_help_and_footer_hide_actions() {
    let mut a = opened_with_detail(true, 120, 40);
    let screen = text(render(&a, 120, 40).backend().buffer());
    assert!(screen.contains(" RO "));
    let footer = screen.lines().last().unwrap_or_default();
    assert!(!footer.contains("advance"), "{footer}");
    a.overlays_mut().show(Overlay::Help(0));
    let screen = text(render(&a, 120, 40).backend().buffer());
    assert!(!screen.contains("advance to the next phase"));
    assert!(screen.contains("read-only: action keys are disabled"));
}

#[test]
fn no_color_rendering_uses_no_colour_but_still_marks_selection_and_trouble() {
    let mut a = with_detail(120, 30);
    a.session_mut().set_color(false);
    let t = render(&a, 120, 30);
    let buf = t.backend().buffer();
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "a colour leaked: {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "a colour leaked: {cell:?}");
    }
    // The selected row is reversed, and the stuck and failed rows carry their glyphs.
    let screen = text(buf);
    let sel_y = screen
        .lines()
        .position(|l| l.contains("atlas-101") && l.contains("│"))
        .expect("row") as u16;
    let reversed =
        (0..buf.area.width).any(|x| buf[(x, sel_y)].modifier.contains(Modifier::REVERSED));
    assert!(reversed, "selection must not rely on colour");
    assert!(
        screen.lines().any(|l| l.contains("! eridanus-9")),
        "stuck mark"
    );
    assert!(
        screen.lines().any(|l| l.contains("✗ borealis-7")),
        "failed mark"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn hostile_strings_render_as_inert_text() {
    let mut a = app();
    let mut d = testing::atlas_detail(&a);
    let evil = "\x1b[2J\x1b]0;owned\x07\u{202e}gnp.exe\u{9b}31m\r\n";
    let id = a.held().visible()[0].clone();
    {
        let r = a.row_mut(&id).expect("row");
        r.wf.build_id = format!("b{evil}");
        r.wf.project_id = evil.into();
        r.wf.current_role = evil.into();
        r.wf.last_error = Some(evil.into());
    }
    let mut e = testing::event(7, &id, evil);
    e.triggered_by = evil.into();
    a.apply_delta(Delta {
        events: vec![e],
        ..Delta::default()
    });
    a.recompute(None);
    // The filter is the hostile text too; the row whose project is that text still shows.
    a.set_filter(evil.into());
    assert_eq!(a.selected_id(), Some(id.as_str()));
    if let Msg::Detail(det) = &mut d {
        det.workflow = a.held().rows()[&id].wf.clone();
        det.outputs_text = super::json_text::pretty(&serde_json::json!({ evil: evil }));
    }
    update(&mut a, d);
    for (w, h) in [(80, 24), (160, 48)] {
        a.screen_mut().resize(w, h);
        let t = render(&a, w, h);
        for cell in t.backend().buffer().content() {
            let sym = cell.symbol();
            assert!(
                !sym.chars()
                    .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                "raw control character {sym:?} reached the screen"
            );
        }
        let screen = text(t.backend().buffer());
        assert!(screen.contains("␛[2J"), "escape shown as a visible picture");
    }
}

#[test]
fn every_size_draws_without_panicking() {
    let mut a = with_detail(80, 24);
    for (w, h) in [
        (1, 1),
        (2, 1),
        (10, 3),
        (29, 7),
        (30, 8),
        (40, 10),
        (80, 24),
        (300, 80),
    ] {
        a.screen_mut().resize(w, h);
        for zoom in [false, true] {
            a.screen_mut().set_zoomed(zoom);
            render(&a, w, h);
            a.overlays_mut().show(Overlay::Help(0));
            render(&a, w, h);
            a.overlays_mut().take();
        }
    }
    let tiny = text(render(&a, 20, 3).backend().buffer());
    assert!(tiny.contains("too small"));
}

#[test]
fn the_table_builds_only_the_visible_rows() {
    // 50,000 workflows: a frame must not depend on them all. The table draws at most its
    // height in rows, and every other row stays out of the buffer.
    let mut a = app();
    // A live template: finished rows beyond FINISHED_KEPT would be let go as they arrive.
    let template = a
        .held()
        .rows()
        .values()
        .find(|r| r.wf.build_id == "atlas-101")
        .expect("row")
        .wf
        .clone();
    let bulk = (0..50_000)
        .map(|i| {
            let mut w = template.clone();
            w.id = format!("bulk-{i:05}");
            w.build_id = format!("bulk-{i:05}");
            w
        })
        .collect();
    a.apply_delta(Delta {
        workflows: bulk,
        ..Delta::default()
    });
    a.sort_by(super::app::SortKey::Build);
    a.set_filter("bulk".into());
    a.screen_mut().resize(120, 30);
    let t = render(&a, 120, 30);
    let area =
        super::layout::areas(ratatui::layout::Rect::new(0, 0, 120, 30), None).of(workflows::ID);
    let buf = t.backend().buffer();
    let table: Vec<String> = (area.y..area.bottom())
        .map(|y| {
            (area.x..area.right())
                .map(|x| buf[(x, y)].symbol())
                .collect()
        })
        .collect();
    let shown = table.iter().filter(|l| l.contains("bulk-")).count();
    assert_eq!(shown, workflows::table_rows(area));
    assert!(table.iter().any(|l| l.contains("bulk-00000")));
    assert!(!text(buf).contains("bulk-49999"));
}
