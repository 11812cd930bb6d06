//! Helpers of the SVG tests: a small well-formedness check and attribute readers, and
//! a map spec to start from.

use geo::Geometry;

use super::{MapShape, MapSpec};

/// Checks that tags balance (a tiny well-formedness check) and returns the number
/// of elements.
pub(super) fn check_balanced(svg: &str) -> usize {
    let mut stack: Vec<&str> = Vec::new();
    let mut count = 0;
    let mut rest = svg;
    assert!(svg.starts_with("<svg "), "starts with <svg");
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "stray > in text: {text}");
        check_entities(text);
        let close = rest[open..].find('>').expect("unterminated tag") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "< inside tag {tag}");
        check_attribute_quotes(tag);
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name.trim()), "closing {name}");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().expect("tag name");
            stack.push(name);
            count += 1;
        } else {
            count += 1;
        }
        rest = &rest[close + 1..];
    }
    assert!(rest.trim().is_empty(), "text after the root: {rest}");
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    count
}

fn check_entities(text: &str) {
    for (i, _) in text.match_indices('&') {
        let ent = &text[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| ent.starts_with(e)),
            "bad entity at {ent}"
        );
    }
}

fn check_attribute_quotes(tag: &str) {
    assert_eq!(
        tag.matches('"').count() % 2,
        0,
        "unbalanced quotes in {tag}"
    );
    check_entities(tag);
}

/// The value of attribute `name` in the first element starting with `prefix`.
pub(super) fn attr(svg: &str, prefix: &str, name: &str) -> f64 {
    let start = svg.find(prefix).unwrap_or_else(|| panic!("no {prefix}"));
    let tag = &svg[start..start + svg[start..].find('>').expect("tag end")];
    attr_in(tag, name)
}

pub(super) fn attr_in(tag: &str, name: &str) -> f64 {
    let key = format!(" {name}=\"");
    let i = tag
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + key.len();
    let j = tag[i..].find('"').expect("closing quote") + i;
    tag[i..j]
        .parse()
        .unwrap_or_else(|_| panic!("{name} not a number in {tag}"))
}

pub(super) fn spec<'a>(bbox: [f64; 4]) -> MapSpec<'a> {
    MapSpec {
        title: "测试 map".into(),
        bbox,
        width: 700.0,
        background: vec![],
        areas: vec![],
        lines: vec![],
        outlines: vec![],
        circles: vec![],
        legend: vec![],
    }
}

pub(super) fn shape(g: &Geometry<f64>) -> MapShape<'_> {
    MapShape {
        geometry: g,
        fill: Some("#fdae61"),
        stroke: Some("#333"),
        stroke_width: 0.5,
        dash: false,
        title: None,
    }
}
