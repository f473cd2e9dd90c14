//! Mutations of inputs: small random edits that keep inputs near the valid ones (so that
//! validation, not only parsing, is exercised) and reach odd corners (huge numbers, deep
//! nesting, missing tables).

/// A small deterministic generator (SplitMix64): campaigns repeat exactly from their seed.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Tokens that matter to TOML, CSV and our scenario format.
const TOKENS: &[&str] = &[
    "=",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    ",",
    ".",
    "\"",
    "'",
    "\n",
    "#",
    "=\"\"",
    " = 0\n",
    "-1",
    "0",
    "1",
    "2",
    "-0.0",
    "1e308",
    "1e-320",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "4294967296",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "0.5",
    "true",
    "false",
    "\"x\"",
    "[]",
    "{}",
    "[[regions]]\nname = \"z\"\npopulation = 5\n",
    "[time]\n",
    "steps = ",
    "population = ",
    "scale = ",
    "seed = ",
    "model = \"threshold\"\n",
    "model = \"resistance\"\n",
    "model = \"civil_violence\"\n",
    "[threshold]\n",
    "[resistance]\n",
    "[civil_violence]\n",
    "[network]\n",
    "kind = ",
    "neighbours = [\"north\"]\n",
    "[[events]]\n",
    "step = ",
    "region = ",
    "regions",
    "[0]",
    "[99999]",
    ".population=",
    "resistance.",
    "outreach.",
    "civil_violence.width=",
    "time.steps=",
    "kinds[0].",
    "\u{0}",
    "\u{feff}",
    "\u{7f}",
    "é",
    "\r\n",
    "\t",
    "1979-05-27",
    "1936-02-30",
    "2024-13-01",
    "\"\"\"",
    "'''",
];

/// Numbers that break naive code.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e999",
    "nan",
    "inf",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "0.0000001",
    "65535",
    "65536",
    "2147483648",
    "-2147483649",
];

/// One mutated copy of `input`; `other` is another corpus entry for splicing.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let at = rng.below(v.len() + 1);
        match rng.below(10) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = [0u8, 0xff, b'"', b'[', b'=', b'\n', b'.', b'-', b'9', b','][rng.below(10)];
            }
            2 | 3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.bytes());
            }
            4 if !v.is_empty() => {
                let len = 1 + rng.below(16.min(v.len()));
                let start = rng.below(v.len() - len + 1);
                v.drain(start..start + len);
            }
            5 if !v.is_empty() => {
                let len = 1 + rng.below(64.min(v.len()));
                let start = rng.below(v.len() - len + 1);
                let piece: Vec<u8> = v[start..start + len].to_vec();
                v.splice(at..at, piece);
            }
            6 if !other.is_empty() => {
                let len = 1 + rng.below(128.min(other.len()));
                let start = rng.below(other.len() - len + 1);
                v.splice(at..at, other[start..start + len].iter().copied());
            }
            7 => {
                // Replace a run of digits by an interesting number.
                if let Some(start) = (at..v.len()).find(|&i| v[i].is_ascii_digit()) {
                    let end = (start..v.len())
                        .find(|&i| !(v[i].is_ascii_digit() || v[i] == b'.'))
                        .unwrap_or(v.len());
                    let n = NUMBERS[rng.below(NUMBERS.len())];
                    v.splice(start..end, n.bytes());
                }
            }
            8 if !v.is_empty() => {
                // Drop a whole line (a field or a table header).
                let line_start = v[..at.min(v.len())]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let line_end = v[line_start..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(v.len(), |i| line_start + i + 1);
                v.drain(line_start..line_end);
            }
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.bytes());
            }
        }
    }
    // Inputs up to 1 MB: deep nesting and long lists need room to be found.
    v.truncate(1 << 20);
    v
}
