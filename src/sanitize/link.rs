//! OSC 8 hyperlinks (`ESC ] 8 ; params ; URI ST`), the one OSC a line
//! may keep: what makes a link safe to pass on ([`parse`]), and the scan
//! that lets a control hidden inside an OSC string be seen
//! ([`mark_hidden_controls`]).
//!
//! A link is kept only with colour on, only for the schemes `http`,
//! `https` and `file`, and only if every byte of its URI is printable
//! ASCII (0x21-0x7E: no space, no control, nothing from 0x80 on; URIs
//! that need more percent-encode it, as `ls --hyperlink` and gcc do) and
//! there are at most [`MAX_URI`] of them. Of the params only a plain `id`
//! is kept (it lets a terminal underline the rows of one link together on
//! hover); the rest are dropped. What is kept is written out again by
//! `Styled::paint`, never copied from the input.

use std::borrow::Cow;

/// The longest URI kept, in bytes: longer than any real one (browsers and
/// servers commonly stop near 2 KB), short enough that a line of links
/// stays small.
pub(crate) const MAX_URI: usize = 2048;

/// The longest `id` kept, in bytes.
pub(crate) const MAX_ID: usize = 64;

/// The most links one line keeps; the text of any after them stays,
/// unlinked. Bounds what a line's links can cost beside its text.
pub(crate) const MAX_LINKS: usize = 1024;

/// `vte` splits an OSC at most into this many params and drops what
/// comes after the last `;` it splits at, so a link with that many may
/// have lost the end of its URI: it is refused.
const VTE_MAX_PARAMS: usize = 16;

/// What an OSC 8 asks for.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Osc8 {
    /// A link from here on: its params and URI as they are written out
    /// again, `id=…;URI` or `;URI`.
    Open(Box<str>),
    /// No link from here on: an empty URI closes the link, and a link
    /// that is not kept leaves its text unlinked, not in the link before.
    Close,
}

/// The link an OSC's params (as `vte` splits them, on `;`) ask for, or
/// `None` if it is no OSC 8.
pub(super) fn parse(params: &[&[u8]]) -> Option<Osc8> {
    if params.first() != Some(&&b"8"[..]) {
        return None;
    }
    let (Some(link_params), Some(_)) = (params.get(1), params.get(2)) else {
        return Some(Osc8::Close);
    };
    if params.len() >= VTE_MAX_PARAMS {
        return Some(Osc8::Close);
    }
    // A URI may hold `;`, which vte split at.
    let uri = params[2..].join(&b';');
    if uri.is_empty() || !uri_is_safe(&uri) {
        return Some(Osc8::Close);
    }
    let id = link_params
        .split(|&b| b == b':')
        .find_map(|pair| pair.strip_prefix(b"id="))
        .filter(|id| id_is_safe(id));
    let mut body = String::with_capacity(uri.len() + id.map_or(1, |id| id.len() + 4));
    // Both were checked to be ASCII.
    if let Some(id) = id {
        body.push_str("id=");
        body.extend(id.iter().map(|&b| char::from(b)));
    }
    body.push(';');
    body.extend(uri.iter().map(|&b| char::from(b)));
    Some(Osc8::Open(body.into_boxed_str()))
}

/// True for a URI of a kept scheme, in printable ASCII, not too long.
fn uri_is_safe(uri: &[u8]) -> bool {
    let printable = |b: &u8| matches!(b, 0x21..=0x7e);
    let Some(colon) = uri.iter().position(|&b| b == b':') else {
        return false;
    };
    let scheme = &uri[..colon];
    uri.len() <= MAX_URI
        && uri.iter().all(printable)
        && ["http", "https", "file"]
            .iter()
            .any(|kept| scheme.eq_ignore_ascii_case(kept.as_bytes()))
}

/// True for an `id` of letters, digits and `-_.`, not too long. (`:`
/// separates params, so it is in no id.)
fn id_is_safe(id: &[u8]) -> bool {
    (1..=MAX_ID).contains(&id.len())
        && id
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Where [`mark_hidden_controls`] stands in the bytes fed to `vte`,
/// between the pieces of a line: vte's own states, as far as they decide
/// what is inside an OSC string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Scan {
    /// Anywhere else: only ESC leads to an OSC.
    #[default]
    Other,
    /// After an ESC (and any controls vte executes there).
    Escape,
    /// Inside an OSC string.
    Osc,
}

/// `text`, or a copy of it in which every control `vte` would drop
/// unseen inside an OSC string (C0 but BEL, CAN, SUB and ESC, which end
/// it) is a DEL, which vte keeps in the string: so a link whose URI holds
/// a control is seen, and refused, rather than taken without it. Nothing
/// shown changes, since nothing in an OSC string is shown. `scan` is
/// where the bytes before left off, and is left where these end.
///
/// The states follow `vte` 0.15's: ESC enters its escape state from
/// every state, `]` there starts an OSC string; C0 controls, DEL, ESC
/// and bytes from 0x80 on leave the escape state as it is, CAN and SUB
/// and any other byte leave it.
pub(super) fn mark_hidden_controls<'a>(text: &'a [u8], scan: &mut Scan) -> Cow<'a, [u8]> {
    let mut marked: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < text.len() {
        match *scan {
            Scan::Other => match memchr::memchr(0x1b, &text[i..]) {
                Some(at) => {
                    i += at + 1;
                    *scan = Scan::Escape;
                }
                None => break,
            },
            Scan::Escape => {
                *scan = match text[i] {
                    b']' => Scan::Osc,
                    0x18 | 0x1a => Scan::Other,
                    0x00..=0x1f | 0x7f..=0xff => Scan::Escape,
                    _ => Scan::Other,
                };
                i += 1;
            }
            Scan::Osc => {
                match text[i] {
                    0x07 | 0x18 | 0x1a => *scan = Scan::Other,
                    0x1b => *scan = Scan::Escape,
                    0x00..=0x1f => marked.get_or_insert_with(|| text.to_vec())[i] = 0x7f,
                    _ => {}
                }
                i += 1;
            }
        }
    }
    marked.map_or(Cow::Borrowed(text), Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(osc: &str) -> Vec<&[u8]> {
        osc.as_bytes().split(|&b| b == b';').collect()
    }

    fn open(body: &str) -> Option<Osc8> {
        Some(Osc8::Open(body.into()))
    }

    #[test]
    fn only_safe_links_are_opened() {
        let cases: &[(&str, Option<Osc8>)] = &[
            ("8;;https://example.com/x", open(";https://example.com/x")),
            ("8;;http://a", open(";http://a")),
            ("8;;HTTPS://A", open(";HTTPS://A")),
            ("8;;file://host/usr/bin", open(";file://host/usr/bin")),
            ("8;;https://a/b;c;d", open(";https://a/b;c;d")),
            ("8;id=x-1_2.3;https://a", open("id=x-1_2.3;https://a")),
            ("8;foo=bar:id=k;https://a", open("id=k;https://a")),
            ("8;id=a b;https://a", open(";https://a")),
            ("8;id=;https://a", open(";https://a")),
            ("8;;", Some(Osc8::Close)),
            ("8;id=x;", Some(Osc8::Close)),
            ("8", Some(Osc8::Close)),
            ("8;", Some(Osc8::Close)),
            ("8;;javascript:alert(1)", Some(Osc8::Close)),
            ("8;;data:text/html,x", Some(Osc8::Close)),
            ("8;;ftp://a", Some(Osc8::Close)),
            ("8;;https", Some(Osc8::Close)),
            ("8;;https ://a", Some(Osc8::Close)),
            ("8;;https://a b", Some(Osc8::Close)),
            ("8;;https://a\x7f", Some(Osc8::Close)),
            ("8;;https://ä", Some(Osc8::Close)),
            ("8;;https://a\u{9c}", Some(Osc8::Close)),
            ("2;title", None),
            ("52;c;aGk=", None),
            ("80;;https://a", None),
        ];
        for (osc, want) in cases {
            assert_eq!(&parse(&split(osc)), want, "{osc:?}");
        }
        let long = format!("8;;https://a/{}", "x".repeat(MAX_URI));
        assert_eq!(parse(&split(&long)), Some(Osc8::Close));
        let longest = format!("8;;https://{}", "x".repeat(MAX_URI - 8));
        assert!(matches!(parse(&split(&longest)), Some(Osc8::Open(_))));
        let long_id = format!("8;id={};https://a", "i".repeat(MAX_ID + 1));
        assert_eq!(parse(&split(&long_id)), open(";https://a"));
        // As many params as vte splits at most: the URI may be cut short.
        let cut = format!("8;;https://a{}", ";".repeat(VTE_MAX_PARAMS - 2));
        assert_eq!(parse(&split(&cut)[..VTE_MAX_PARAMS]), Some(Osc8::Close));
    }

    #[test]
    fn controls_inside_an_osc_string_are_marked_and_nothing_else() {
        let mark = |text: &[u8]| mark_hidden_controls(text, &mut Scan::default()).into_owned();
        assert_eq!(
            mark(b"a\x01\x1b[31mb\x1b]8;;x\x07\x02"),
            b"a\x01\x1b[31mb\x1b]8;;x\x07\x02"
        );
        assert_eq!(
            mark(b"\x1b]8;;ht\x01tp\x1b\\\x01"),
            b"\x1b]8;;ht\x7ftp\x1b\\\x01"
        );
        // Controls vte executes between the ESC and the `]`.
        assert_eq!(mark(b"\x1b\x01]8\x02"), b"\x1b\x01]8\x7f");
        assert_eq!(mark(b"\x1b(]\x01"), b"\x1b(]\x01");
        assert_eq!(mark(b"\x1b]8\x18\x01"), b"\x1b]8\x18\x01");
        assert!(matches!(
            mark_hidden_controls(b"plain \x1b[1m", &mut Scan::default()),
            Cow::Borrowed(_)
        ));
        // Pieces: the state carries over.
        let mut scan = Scan::default();
        assert_eq!(&*mark_hidden_controls(b"a\x1b", &mut scan), b"a\x1b");
        assert_eq!(&*mark_hidden_controls(b"]8;", &mut scan), b"]8;");
        assert_eq!(
            &*mark_hidden_controls(b"\x01\x07\x01", &mut scan),
            b"\x7f\x07\x01"
        );
    }
}
