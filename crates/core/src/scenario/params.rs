//! Groups of numeric parameters declared once: type, default, allowed range, unit and reason.
//!
//! A model with dozens of parameters would otherwise repeat each one five times (raw field,
//! decoder, range check, default, docs). [`param_group!`] writes all of them from one line per
//! parameter, and [`ParamDoc`] lists them, so the docs can be checked against the code.

use super::decode::{FromToml, Node, Problems};

/// One parameter as the docs show it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamDoc {
    /// Key in the scenario table.
    pub name: &'static str,
    /// Unit of the value (`per day`, `fraction`, `persons`).
    pub unit: &'static str,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Default, as written in the code.
    pub default: &'static str,
    /// What it is and why the default has its value.
    pub why: &'static str,
}

/// A parameter value: a number, a count or a switch.
pub(crate) trait ParamValue: FromToml + Copy {
    /// The value as a number, for range checks.
    fn as_f64(self) -> f64;
}

impl ParamValue for f64 {
    fn as_f64(self) -> f64 {
        self
    }
}

impl ParamValue for u32 {
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
}

impl ParamValue for bool {
    fn as_f64(self) -> f64 {
        f64::from(u8::from(self))
    }
}

/// A value outside its range, as (path, message, help).
pub(crate) type RangeProblem = (String, String, String);

/// Checks one value against its documented range.
pub(crate) fn check<T: ParamValue>(v: T, doc: &ParamDoc, path: &str, out: &mut Vec<RangeProblem>) {
    let x = v.as_f64();
    if !(doc.min..=doc.max).contains(&x) {
        out.push((
            path.to_string(),
            format!("{x} is out of range"),
            format!("allowed: {} to {} {}", doc.min, doc.max, doc.unit)
                .trim_end()
                .to_string(),
        ));
    }
}

/// Reads a node with a fixed type; used by the generated decoders.
pub(crate) fn read<T: FromToml>(node: Node<'_, '_>, path: &str, p: &mut Problems) -> Option<T> {
    T::from_toml(node, path, p)
}

/// Declares a parameter group: the validated struct, its raw mirror (every field optional,
/// serialized into the resolved scenario), a decoder that reports unknown keys, and the docs.
///
/// Each line: `name: type = default, [min, max], "unit", "why";`
macro_rules! param_group {
    ($(#[$meta:meta])* $name:ident / $raw:ident {
        $( $field:ident : $t:ty = $default:expr, [$lo:expr, $hi:expr], $unit:literal, $why:literal; )+
    }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $( #[doc = $why] #[doc = concat!("Unit: ", $unit, ".")] pub $field: $t, )+
        }

        #[doc = concat!("The raw mirror of [`", stringify!($name), "`]: fields as written.")]
        #[derive(Clone, Debug, Default, serde::Serialize)]
        pub struct $raw {
            $( #[doc = $why] pub $field: Option<$t>, )+
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )+ }
            }
        }

        impl $name {
            /// Every parameter of the group, for the docs.
            pub const PARAMS: &'static [$crate::scenario::params::ParamDoc] = &[
                $( $crate::scenario::params::ParamDoc {
                    name: stringify!($field),
                    unit: $unit,
                    min: $lo as f64,
                    max: $hi as f64,
                    default: stringify!($default),
                    why: $why,
                }, )+
            ];

            /// Fills the raw mirror's defaults and checks every range.
            pub(crate) fn resolve(
                raw: &mut $raw,
                path: &str,
                problems: &mut Vec<$crate::scenario::params::RangeProblem>,
            ) -> $name {
                let d = $name::default();
                let mut i = 0;
                $(
                    let v = *raw.$field.get_or_insert(d.$field);
                    $crate::scenario::params::check(
                        v,
                        &Self::PARAMS[i],
                        &$crate::scenario::decode::join(path, stringify!($field)),
                        problems,
                    );
                    i += 1;
                )+
                let _ = i;
                $name { $( $field: raw.$field.unwrap_or(d.$field), )+ }
            }
        }

        impl $raw {
            /// Reads the table, reporting wrong types and unknown keys.
            #[allow(dead_code)]
            pub(crate) fn decode(
                n: $crate::scenario::decode::Node<'_, '_>,
                path: &str,
                p: &mut $crate::scenario::decode::Problems,
                s: &mut $crate::scenario::raw::Spans,
            ) -> Option<Self> {
                let mut f = $crate::scenario::decode::Fields::open(n, path, p)?;
                let out = Self::decode_known(&mut f, path, p, s);
                f.finish(p);
                Some(out)
            }

            /// Reads the group's fields from a table that may hold other keys too.
            #[allow(dead_code)]
            pub(crate) fn decode_known(
                f: &mut $crate::scenario::decode::Fields<'_, '_>,
                path: &str,
                p: &mut $crate::scenario::decode::Problems,
                s: &mut $crate::scenario::raw::Spans,
            ) -> Self {
                let mut out = $raw::default();
                $(
                    if let Some(node) = f.node(stringify!($field)) {
                        let fp = $crate::scenario::decode::join(path, stringify!($field));
                        s.insert(fp.clone(), node.span());
                        out.$field = $crate::scenario::params::read::<$t>(node, &fp, p);
                    }
                )+
                out
            }
        }
    };
}
pub(crate) use param_group;
