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
    let atlas = a
        .held()
        .visible()
        .iter()
        .position(|id| a.held().rows()[id].wf.build_id() == "atlas-101")
        .expect("atlas-101 shown");
    a.select(atlas);
    let d = testing::atlas_detail(&a);
    update(&mut a, d);
    a
}

#[test]
fn main_screen_80x24() {
    insta::assert_snapshot!(render(&with_detail(80, 24), 80, 24).backend());
}

#[test]
fn main_screen_60x20() {
    insta::assert_snapshot!(render(&with_detail(60, 20), 60, 20).backend());
}

#[test]
fn main_screen_120x40() {
    insta::assert_snapshot!(render(&with_detail(120, 40), 120, 40).backend());
}

#[test]
fn main_screen_200x60() {
    insta::assert_snapshot!(render(&with_detail(200, 60), 200, 60).backend());
}

/// The table's lines on screen (between its top border and its bottom one).
fn table_lines(a: &App, w: u16, h: u16) -> Vec<String> {
    let t = render(a, w, h);
    let area = super::layout::areas(ratatui::layout::Rect::new(0, 0, w, h), None).of(workflows::ID);
    let buf = t.backend().buffer();
    (area.y + 1..area.bottom() - 1)
        .map(|y| {
            (area.x..area.right())
                .map(|x| buf[(x, y)].symbol())
                .collect()
        })
        .collect()
}

#[test]
fn cut_build_ids_stay_different_and_every_cut_is_marked() {
    // The defect: three ids sharing their first 15 characters all read `atlas-2fdc00050`.
    let mut a = with_detail(60, 20);
    let ids: Vec<String> = a.held().visible().iter().map(|v| v.to_string()).collect();
    let full = |n: usize| format!("atlas-2fdc000500000000000000000000000000000{n}");
    for (n, id) in ids.iter().enumerate() {
        a.row_mut(id)
            .expect("row")
            .edit(|w| w.build_id = full(n).into());
    }
    a.recompute(None);
    for (w, h) in [(60, 20), (80, 24), (120, 40)] {
        a.screen_mut().resize(w, h);
        let lines = table_lines(&a, w, h);
        assert!(
            w > 60 || lines.iter().any(|l| l.contains('…')),
            "60 columns cut"
        );
        let builds: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.split_whitespace().find(|c| c.starts_with("atlas-")))
            .collect();
        assert_eq!(builds.len(), ids.len(), "{w}: {lines:#?}");
        for (n, b) in builds.iter().enumerate() {
            assert!(
                *b == full(n) || (b.contains('…') && b.ends_with(&format!("0{n}"))),
                "{w}: {b} is cut without a mark or without its tail"
            );
            assert!(!builds[n + 1..].contains(b), "{w}: {b} shown twice");
        }
    }
    // ROLE is cut only with a mark, never as `verification_speci`.
    let a = with_detail(160, 48);
    for l in table_lines(&a, 160, 48) {
        assert!(
            l.contains("verification_specialist")
                || !l.contains("verification_s")
                || l.contains('…'),
            "{l}"
        );
    }
}

#[test]
fn stuck_shows_when_the_limit_was_crossed_and_when_the_wait_began() {
    let mut a = with_detail(100, 30);
    let i = a
        .held()
        .visible()
        .iter()
        .position(|id| a.held().rows()[id].wf.build_id() == "eridanus-9")
        .expect("shown");
    a.select(i);
    let screen = text(render(&a, 100, 30).backend().buffer());
    // Its handoff was made at 10:05:00 and the limit is five minutes.
    assert!(
        screen.contains("STUCK since 10:10:00") && screen.contains("waiting since 10:05:00"),
        "{screen}"
    );
}

#[test]
fn a_long_error_is_shown_whole_above_the_footer() {
    let mut a = with_detail(80, 24);
    let msg = "conflict: atlas-101 changed since you looked (v2 → v3, by operator:bob@host): \
               someone changed it first; press R to reload, check, then try again";
    a.session_mut().say(super::app::Level::Error, msg);
    let screen = text(render(&a, 80, 24).backend().buffer());
    assert!(screen.contains("then try again"), "{screen}");
    let joined: String = screen
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(joined.contains("someone changed it first"), "{screen}");
}

#[test]
fn an_empty_filter_result_says_why_in_full() {
    let mut a = with_detail(60, 20);
    a.set_filter("status:bogus".into());
    let screen = text(render(&a, 60, 20).backend().buffer());
    let joined: String = screen.lines().collect::<Vec<_>>().join(" ");
    for word in ["bogus", "running,", "cancelled"] {
        assert!(joined.contains(word), "{word} missing:\n{screen}");
    }
    a.set_filter("zzz".into());
    let screen = text(render(&a, 60, 20).backend().buffer());
    assert!(screen.contains("1 shows all"), "{screen}");
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
    let id = a.held().visible()[0].to_string();
    {
        let r = a.row_mut(&id).expect("row");
        r.edit(|w| w.build_id = format!("b{evil}").into());
        r.edit(|w| w.project_id = evil.into());
        r.edit(|w| w.current_role = evil.into());
        r.edit(|w| w.last_error = Some(evil.into()));
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
        det.workflow = a.held().rows()[id.as_str()].unpack();
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
        .iter()
        .find(|r| r.wf.build_id() == "atlas-101")
        .expect("row")
        .unpack();
    let bulk = (0..50_000)
        .map(|i| {
            let mut w = template.clone();
            w.id = format!("bulk-{i:05}");
            w.build_id = format!("bulk-{i:05}").into();
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

/// The table is written cell by cell (`view::paint`): the styles a `Table` gave must stay
/// where they were — the header's across the pane, a row's across its whole line (gaps
/// between columns too), the status colour on the status text only.
#[test]
fn the_table_styles_whole_lines_and_colours_only_the_status_text() {
    let a = with_detail(120, 30);
    let t = render(&a, 120, 30);
    let buf = t.backend().buffer();
    let table =
        super::layout::areas(ratatui::layout::Rect::new(0, 0, 120, 30), None).of(workflows::ID);
    let inner = (table.x + 1)..(table.right() - 1);
    let line = |y: u16| -> String {
        inner
            .clone()
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    };
    // The first table line holding `needle`, and the column where it starts.
    let find = |needle: &str| -> (u16, u16) {
        (table.y + 1..table.bottom() - 1)
            .find_map(|y| {
                let l = line(y);
                l.find(needle)
                    .map(|at| (y, inner.start + l[..at].chars().count() as u16))
            })
            .unwrap_or_else(|| panic!("{needle} in the table"))
    };
    let (header, _) = find("BUILD");
    for x in inner.clone() {
        let m = buf[(x, header)].modifier;
        assert!(
            m.contains(Modifier::BOLD | Modifier::UNDERLINED),
            "header cell {x} is {m:?}"
        );
    }
    let (selected, _) = find("atlas-101");
    for x in inner.clone() {
        let m = buf[(x, selected)].modifier;
        assert!(m.contains(Modifier::REVERSED), "selected cell {x} is {m:?}");
    }
    let (failed, _) = find("✗ borealis-7");
    let at = line(failed).find("failed").expect("status text");
    let status_x = inner.start + line(failed)[..at].chars().count() as u16;
    assert_eq!(buf[(status_x, failed)].fg, Color::Red, "the status text");
    assert_eq!(buf[(status_x - 1, failed)].fg, Color::Red, "the failed row");
    let theme = super::view::style::Theme {
        color: true,
        light: false,
    };
    // A stuck running row: the row is in the stuck colour, its status text in running's.
    let (stuck, _) = find("! eridanus-9");
    let at = line(stuck).find(" running ").expect("status text") + 1;
    let at = inner.start + line(stuck)[..at].chars().count() as u16;
    let ok = theme.status(crate::model::Status::Running).fg;
    assert_eq!(
        buf[(at, stuck)].fg,
        ok.unwrap_or(Color::Reset),
        "status colour"
    );
    assert_eq!(
        buf[(at - 1, stuck)].fg,
        theme.stuck().fg.unwrap(),
        "the row's colour"
    );
}
