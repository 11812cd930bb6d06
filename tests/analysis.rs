use geo::{Coord, Distance, Geodesic, Line, Point};
use landreuse::index::analysis::geodesic_distance;

fn searched(v: Point<f64>, s: Coord<f64>, e: Coord<f64>) -> f64 {
    let at = |t: f64| Geodesic.distance(v, (s + (e - s) * t).into());
    let (mut lo, mut hi, r) = (0.0, 1.0, (5f64.sqrt() - 1.0) / 2.0);
    for _ in 0..100 {
        let (m1, m2) = (hi - r * (hi - lo), lo + r * (hi - lo));
        if at(m1) < at(m2) {
            hi = m2
        } else {
            lo = m1
        }
    }
    at(lo).min(at(0.0)).min(at(1.0))
}

#[test]
fn scratch_accuracy() {
    let mut state = 99u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut worst = [0.0f64; 6];
    let bounds = [500.0, 1000.0, 3000.0, 5000.0, 10000.0, 20000.0];
    for _ in 0..20000 {
        let v = Point::new(125.25 + next() * 0.4, 43.78 + next() * 0.27);
        let reach = 0.3 * next();
        let s = Coord {
            x: v.x() + (next() - 0.5) * reach,
            y: v.y() + (next() - 0.5) * reach,
        };
        let e = Coord {
            x: v.x() + (next() - 0.5) * reach,
            y: v.y() + (next() - 0.5) * reach,
        };
        let d = geodesic_distance(&v.into(), &Line::new(s, e).into());
        let t = searched(v, s, e);
        assert!(d - t > -1e-7, "under {d} {t}");
        if let Some(i) = bounds.iter().position(|b| t <= *b) {
            worst[i] = worst[i].max(d - t);
        }
    }
    println!("{:?}", bounds.iter().zip(worst).collect::<Vec<_>>());
}
