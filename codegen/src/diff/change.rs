//! One difference between two versions of a method, and how much it matters to a caller.

use std::fmt;

use serde_json::Value;

/// What a change does to a caller of the generated client.
///
/// Ordered by weight: `Patch < Minor < Breaking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Docs only: descriptions, titles, examples, notes; nothing a caller's code or the
    /// client's behaviour depends on.
    Patch,
    /// An addition: code that compiled and requests the client accepted still do.
    Minor,
    /// Code that compiled may no longer compile, or a request the client accepted may now be
    /// refused, or an answer may no longer read as before.
    Breaking,
}

impl Severity {
    /// `breaking`, `minor` or `patch`, as the text output prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Patch => "patch",
            Severity::Minor => "minor",
            Severity::Breaking => "breaking",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The version bump a set of changes calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Semver {
    /// Nothing changed.
    None,
    /// Docs only.
    Patch,
    /// Additions only.
    Minor,
    /// At least one breaking change.
    Major,
}

impl Semver {
    /// `none`, `patch`, `minor` or `major`, as both outputs print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::None => "none",
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }

    /// The bump for the heaviest change of a set (`None` for no change at all).
    pub fn of(heaviest: Option<Severity>) -> Semver {
        match heaviest {
            None => Semver::None,
            Some(Severity::Patch) => Semver::Patch,
            Some(Severity::Minor) => Semver::Minor,
            Some(Severity::Breaking) => Semver::Major,
        }
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of change it is: the `change` key of the JSON output (a public contract; add
/// kinds, never rename them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A method in OLD only.
    MethodRemoved,
    /// A method in NEW only.
    MethodAdded,
    /// A field in OLD only.
    FieldRemoved,
    /// A field in NEW only.
    FieldAdded,
    /// `required` changed.
    RequiredChanged,
    /// The spec's `type` changed.
    TypeChanged,
    /// The field's model is another one with the same fields (a renamed model).
    ModelRenamed,
    /// The spec type is the same but the generated Rust type is not (values listed or no
    /// longer listed, an enum or a response-side copy of a model named differently).
    RustTypeChanged,
    /// The Rust field name (from `rust_name`, or derived from `name`) changed.
    RustNameChanged,
    /// `max_length` lowered, or a limit set where there was none.
    MaxLengthLowered,
    /// `max_length` raised, or the limit dropped.
    MaxLengthRaised,
    /// A `Date` field's `format` changed.
    FormatChanged,
    /// `in` (where a request parameter is sent) changed.
    LocationChanged,
    /// The method's call style (`call_style`, or the style its name gives) changed, or the
    /// key was only written out or left out.
    CallStyleChanged,
    /// A listed value in OLD only.
    ValueRemoved,
    /// A listed value in NEW only.
    ValueAdded,
    /// The Rust variant of a listed value or error code is named differently.
    VariantRenamed,
    /// A documented business error code in OLD only.
    ErrorRemoved,
    /// A documented business error code in NEW only.
    ErrorAdded,
    /// A model is sent in requests now, or no longer: its constructor, setters and checks
    /// come or go.
    ModelUsageChanged,
    /// `title` changed.
    TitleChanged,
    /// `description` changed.
    DescriptionChanged,
    /// `example` changed.
    ExampleChanged,
    /// `examples` (the page's request, response or error example) changed.
    ExamplesChanged,
    /// `note` changed.
    NoteChanged,
    /// `doc_url` changed.
    DocUrlChanged,
    /// `version` changed.
    VersionChanged,
    /// An error code's `solution` changed.
    SolutionChanged,
    /// A key this report does not know yet changed (a key added to the spec format after
    /// it): counted as breaking until classified.
    UnclassifiedChanged,
    /// The spec lists the notification's fields now: the method gains a typed `Notification`.
    NotificationAdded,
    /// The spec no longer lists the notification's fields: the `Notification` type is gone.
    NotificationRemoved,
    /// The notification's `sources` changed.
    SourcesChanged,
    /// The spec has a v3 route now: the v3 protocol can call the method.
    RouteAdded,
    /// The spec no longer has a v3 route.
    RouteRemoved,
    /// The v3 route changed: its HTTP method, path, body or query (how v3 sends the request),
    /// whether v2 serves the method, or only its source or note.
    RouteChanged,
    /// A field's or an error code's `source` changed.
    SourceChanged,
    /// A 特殊可选 group (`at_least_one_of`) is new: a request giving none of its fields is
    /// refused now.
    AtLeastOneOfAdded,
    /// A 特殊可选 group is gone.
    AtLeastOneOfRemoved,
}

impl Kind {
    /// Every kind, in the order of the table in docs/spec-diffs.md.
    pub const ALL: &'static [Kind] = &[
        Kind::MethodRemoved,
        Kind::MethodAdded,
        Kind::FieldRemoved,
        Kind::FieldAdded,
        Kind::RequiredChanged,
        Kind::TypeChanged,
        Kind::ModelRenamed,
        Kind::RustTypeChanged,
        Kind::RustNameChanged,
        Kind::MaxLengthLowered,
        Kind::MaxLengthRaised,
        Kind::FormatChanged,
        Kind::LocationChanged,
        Kind::CallStyleChanged,
        Kind::ValueRemoved,
        Kind::ValueAdded,
        Kind::VariantRenamed,
        Kind::ErrorRemoved,
        Kind::ErrorAdded,
        Kind::ModelUsageChanged,
        Kind::TitleChanged,
        Kind::DescriptionChanged,
        Kind::ExampleChanged,
        Kind::ExamplesChanged,
        Kind::NoteChanged,
        Kind::DocUrlChanged,
        Kind::VersionChanged,
        Kind::SolutionChanged,
        Kind::UnclassifiedChanged,
        Kind::NotificationAdded,
        Kind::NotificationRemoved,
        Kind::SourcesChanged,
        Kind::RouteAdded,
        Kind::RouteRemoved,
        Kind::RouteChanged,
        Kind::SourceChanged,
        Kind::AtLeastOneOfAdded,
        Kind::AtLeastOneOfRemoved,
    ];

    /// The snake_case name the JSON output uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MethodRemoved => "method_removed",
            Kind::MethodAdded => "method_added",
            Kind::FieldRemoved => "field_removed",
            Kind::FieldAdded => "field_added",
            Kind::RequiredChanged => "required_changed",
            Kind::TypeChanged => "type_changed",
            Kind::ModelRenamed => "model_renamed",
            Kind::RustTypeChanged => "rust_type_changed",
            Kind::RustNameChanged => "rust_name_changed",
            Kind::MaxLengthLowered => "max_length_lowered",
            Kind::MaxLengthRaised => "max_length_raised",
            Kind::FormatChanged => "format_changed",
            Kind::LocationChanged => "location_changed",
            Kind::CallStyleChanged => "call_style_changed",
            Kind::ValueRemoved => "value_removed",
            Kind::ValueAdded => "value_added",
            Kind::VariantRenamed => "variant_renamed",
            Kind::ErrorRemoved => "error_removed",
            Kind::ErrorAdded => "error_added",
            Kind::ModelUsageChanged => "model_usage_changed",
            Kind::TitleChanged => "title_changed",
            Kind::DescriptionChanged => "description_changed",
            Kind::ExampleChanged => "example_changed",
            Kind::ExamplesChanged => "examples_changed",
            Kind::NoteChanged => "note_changed",
            Kind::DocUrlChanged => "doc_url_changed",
            Kind::VersionChanged => "version_changed",
            Kind::SolutionChanged => "solution_changed",
            Kind::UnclassifiedChanged => "unclassified_changed",
            Kind::NotificationAdded => "notification_added",
            Kind::NotificationRemoved => "notification_removed",
            Kind::SourcesChanged => "sources_changed",
            Kind::RouteAdded => "route_added",
            Kind::RouteRemoved => "route_removed",
            Kind::RouteChanged => "route_changed",
            Kind::SourceChanged => "source_changed",
            Kind::AtLeastOneOfAdded => "at_least_one_of_added",
            Kind::AtLeastOneOfRemoved => "at_least_one_of_removed",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change of one method, at one path.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The method's wire name.
    pub method: String,
    /// What changed: the method's name for the method itself, otherwise `request.<field>`,
    /// `request.<field>.<subfield>` (through models), `response.<field>`, `notification`,
    /// `notification.<field>`, `errors.<CODE>`, `<field path>.values.<VALUE>`.
    pub path: String,
    /// The kind of change.
    pub kind: Kind,
    /// How much it matters to a caller.
    pub severity: Severity,
    /// What changed, for a person, including why it breaks where it does.
    pub message: String,
    /// The value before (`null` when there was none).
    pub old: Value,
    /// The value after (`null` when there is none).
    pub new: Value,
    /// For a change inside a model, the model's name.
    pub model: Option<String>,
    /// For a change inside a model, every path at which the method uses the model (the
    /// change is reported once, at the first of them).
    pub used_by: Vec<String>,
}

impl Change {
    /// A change of `method` at `path`, outside any model.
    pub(crate) fn at(
        method: &str,
        path: String,
        kind: Kind,
        severity: Severity,
        message: String,
        old: Value,
        new: Value,
    ) -> Self {
        Change {
            method: method.to_owned(),
            path,
            kind,
            severity,
            message,
            old,
            new,
            model: None,
            used_by: Vec::new(),
        }
    }

    /// Whether the change breaks a caller.
    pub fn is_breaking(&self) -> bool {
        self.severity == Severity::Breaking
    }
}
