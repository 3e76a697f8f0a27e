//! The fuzz targets (`linea::fuzz`, run by cargo-fuzz under `fuzz/`) on their seed corpus
//! (`fuzz/seeds/<target>/`) and on a few hundred deterministic mutations of it, on the stable
//! toolchain: a target that panics on its own seeds, or on the kind of input a fuzzer tries
//! first, fails here before anyone runs the fuzzer.

use std::path::Path;

use linea::fuzz::TARGETS;

/// xorshift64: the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that open or close a construct of some format, or are hostile on their own.
const TOKENS: &[&[u8]] = &[
    b"$(",
    b")",
    b"`",
    b"{{",
    b"}}",
    b"${",
    b"}",
    b"\"",
    b"'",
    b"\\",
    b"\n",
    b"\r\n",
    b"\0",
    b"\t",
    b"&a ",
    b"*a",
    b"<<",
    b"EOF\n",
    b"- ",
    b": ",
    b"[",
    b"]",
    b"#",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"{{- end }}",
    b"{{ range . }}",
    b"resource \"a\" \"b\" {",
    b"RUN ",
];

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(4) {
            0 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            1 if at < v.len() => {
                let end = (at + 1 + rng.below(16)).min(v.len());
                v.drain(at..end);
            }
            2 if at < v.len() => v[at] ^= 1 << rng.below(8),
            _ => {
                // repeat a slice: deeper nesting, longer lists
                let end = (at + 1 + rng.below(32)).min(v.len());
                let piece = v[at.min(end)..end].to_vec();
                for _ in 0..rng.below(8) {
                    v.splice(at..at, piece.iter().copied());
                }
            }
        }
    }
    v
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).expect("read seed")).collect()
}

#[test]
fn every_target_has_seeds_and_a_cargo_fuzz_binary() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/Cargo.toml")).expect("fuzz/Cargo.toml");
    for t in TARGETS {
        assert!(!seeds(t.name).is_empty(), "fuzz/seeds/{} is empty", t.name);
        assert!(
            manifest.contains(&format!("name = \"{}\"", t.name)),
            "fuzz/Cargo.toml lacks {}",
            t.name
        );
        let body = std::fs::read_to_string(format!(
            "{}/fuzz/fuzz_targets/{}.rs",
            env!("CARGO_MANIFEST_DIR"),
            t.name
        ))
        .expect("fuzz target");
        assert!(body.contains(&format!("linea::fuzz::{}(data)", t.name)), "{body}");
    }
}

#[test]
fn targets_survive_their_seeds_and_mutations() {
    // the engine and report targets lint a whole small repository each time: fewer mutations
    for t in TARGETS {
        let heavy = t.name == "engine" || t.name.starts_with("report_");
        let mutations = if heavy { 3 } else { 60 };
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ t.name.len() as u64);
        for seed in seeds(t.name) {
            (t.run)(&seed);
            (t.run)(&[]);
            // every prefix a fuzzer would cut first
            for cut in [1, 2, 3, 5, 8] {
                (t.run)(&seed[..seed.len() * cut / 8.max(cut)]);
                if heavy {
                    break;
                }
            }
            for _ in 0..mutations {
                let input = mutate(&seed, &mut rng);
                let run = std::panic::catch_unwind(|| (t.run)(&input));
                assert!(
                    run.is_ok(),
                    "target {} panicked on {:?}",
                    t.name,
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
}
