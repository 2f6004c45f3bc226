//! Alipay's OpenAPI document read into operations: each one's route, its request and
//! response fields, the models they reach and its error codes, in the spec format's terms.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::OpenapiError;
use crate::spec::{Body, Field, HttpMethod, Location};

/// One operation of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Operation {
    /// The operationId: the method's wire name.
    pub id: String,
    pub summary: String,
    pub description: String,
    pub http_method: HttpMethod,
    pub path: String,
    pub body: Body,
    /// The path parameters, then the query parameters, as fields (each in document order).
    pub params: Vec<(Field, ParamIn)>,
    /// The fields of the JSON body (the `data` part of a multipart body, then its files), by
    /// name (the document is read into sorted maps).
    pub body_fields: Vec<Field>,
    /// The fields of the 200 answer.
    pub response: Vec<Field>,
    /// Every model the fields reach, by schema name.
    pub models: BTreeMap<String, Vec<Field>>,
    /// The business error codes, in document order.
    pub errors: Vec<String>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamIn {
    Path,
    Query,
}

/// The document: its version and operations, in path order.
pub(crate) struct Document {
    pub version: String,
    pub operations: Vec<Operation>,
}

const SCHEMAS: &str = "#/components/schemas/";
const PARAMETERS: &str = "#/components/parameters/";

impl Document {
    /// Reads the document (already JSON).
    pub fn read(doc: &Json) -> Result<Document, OpenapiError> {
        let bad = |what: String| OpenapiError::Document(what);
        let version = match doc.pointer("/info/version") {
            Some(Json::String(v)) => v.clone(),
            Some(Json::Number(n)) => n.to_string(),
            _ => return Err(bad("no `info.version`".to_owned())),
        };
        let paths = doc
            .get("paths")
            .and_then(Json::as_object)
            .ok_or_else(|| bad("no `paths` mapping".to_owned()))?;
        let reader = Reader { doc };
        let mut operations = Vec::new();
        for (path, item) in paths {
            let item = item
                .as_object()
                .ok_or_else(|| bad(format!("`paths.{path}` is not a mapping")))?;
            for (verb, http_method) in [
                ("get", HttpMethod::Get),
                ("post", HttpMethod::Post),
                ("put", HttpMethod::Put),
                ("patch", HttpMethod::Patch),
                ("delete", HttpMethod::Delete),
            ] {
                if let Some(op) = item.get(verb) {
                    let at = format!("paths.{path}.{verb}");
                    operations.push(reader.operation(path, http_method, op, &at)?);
                }
            }
        }
        Ok(Document {
            version,
            operations,
        })
    }
}

/// Reads operations and schemas, resolving `$ref`s against the document.
struct Reader<'d> {
    doc: &'d Json,
}

impl<'d> Reader<'d> {
    fn operation(
        &self,
        path: &str,
        http_method: HttpMethod,
        op: &'d Json,
        at: &str,
    ) -> Result<Operation, OpenapiError> {
        let text = |key: &str| op.get(key).and_then(Json::as_str).unwrap_or("").to_owned();
        let id = text("operationId");
        if !crate::spec::is_method_name(&id) {
            return Err(OpenapiError::Document(format!(
                "{at}: operationId `{id}` is not a method name"
            )));
        }
        let mut models = BTreeMap::new();
        let mut params = Vec::new();
        for param in op
            .get("parameters")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let param = self.resolve(param, PARAMETERS, at)?;
            params.push(self.param(param, &mut models, at)?);
        }
        // Path parameters first, then the query, each in document order.
        params.sort_by_key(|(_, place)| *place == ParamIn::Query);
        let (body, body_fields) = self.body(op, &mut models, at)?;
        let response = match op.pointer("/responses/200/content/application~1json/schema") {
            Some(schema) => self.fields(self.resolve(schema, SCHEMAS, at)?, &mut models, at)?,
            None => Vec::new(),
        };
        let errors = self.errors(op, at)?;
        Ok(Operation {
            id,
            summary: text("summary"),
            description: text("description"),
            http_method,
            path: path.to_owned(),
            body,
            params,
            body_fields,
            response,
            models,
            errors,
        })
    }

    /// The target of `node`'s `$ref` (under `prefix`), or `node` itself.
    fn resolve(&self, node: &'d Json, prefix: &str, at: &str) -> Result<&'d Json, OpenapiError> {
        let Some(reference) = node.get("$ref").and_then(Json::as_str) else {
            return Ok(node);
        };
        let name = reference.strip_prefix(prefix).ok_or_else(|| {
            OpenapiError::Document(format!("{at}: `$ref: {reference}` is not under `{prefix}`"))
        })?;
        let pointer = format!(
            "/{}/{}",
            prefix[2..].trim_end_matches('/'),
            pointer_escape(name)
        );
        self.doc.pointer(&pointer).ok_or_else(|| {
            OpenapiError::Document(format!("{at}: `$ref: {reference}` names nothing"))
        })
    }

    fn param(
        &self,
        param: &'d Json,
        models: &mut BTreeMap<String, Vec<Field>>,
        at: &str,
    ) -> Result<(Field, ParamIn), OpenapiError> {
        let place = match param.get("in").and_then(Json::as_str) {
            Some("path") => ParamIn::Path,
            Some("query") => ParamIn::Query,
            other => {
                return Err(OpenapiError::Document(format!(
                    "{at}: a parameter `in: {}` (only path and query parameters are read)",
                    other.unwrap_or("?")
                )));
            }
        };
        let name = param.get("name").and_then(Json::as_str).unwrap_or("");
        let schema = param.get("schema").unwrap_or(&Json::Null);
        let mut field = self.field(name, schema, models, at)?;
        field.required = param.get("required").and_then(Json::as_bool) == Some(true);
        if let Some(d) = param.get("description").and_then(Json::as_str) {
            field.description = d.trim().to_owned();
        }
        if field.example.is_none() {
            field.example = param.get("example").and_then(example);
        }
        Ok((field, place))
    }

    /// The body's kind and fields: a JSON model, or a multipart form of a `data` model and files.
    fn body(
        &self,
        op: &'d Json,
        models: &mut BTreeMap<String, Vec<Field>>,
        at: &str,
    ) -> Result<(Body, Vec<Field>), OpenapiError> {
        let Some(content) = op.pointer("/requestBody/content").and_then(Json::as_object) else {
            return Ok((Body::None, Vec::new()));
        };
        if let Some(schema) = content
            .get("application/json")
            .and_then(|c| c.get("schema"))
        {
            let fields = self.fields(self.resolve(schema, SCHEMAS, at)?, models, at)?;
            return Ok((Body::Json, fields));
        }
        let Some(schema) = content
            .get("multipart/form-data")
            .and_then(|c| c.get("schema"))
        else {
            return Err(OpenapiError::Document(format!(
                "{at}: a request body that is neither JSON nor multipart"
            )));
        };
        let form = self.resolve(schema, SCHEMAS, at)?;
        let mut fields = Vec::new();
        for (name, part) in properties(form) {
            if name == "data" {
                fields.extend(self.fields(self.resolve(part, SCHEMAS, at)?, models, at)?);
            } else {
                fields.push(self.field(name, part, models, at)?);
            }
        }
        Ok((Body::Multipart, fields))
    }

    /// The fields of an object schema, by name.
    fn fields(
        &self,
        schema: &'d Json,
        models: &mut BTreeMap<String, Vec<Field>>,
        at: &str,
    ) -> Result<Vec<Field>, OpenapiError> {
        properties(schema)
            .map(|(name, property)| self.field(name, property, models, at))
            .collect()
    }

    /// One property as a field; a model it names is read into `models` (once).
    fn field(
        &self,
        name: &str,
        property: &'d Json,
        models: &mut BTreeMap<String, Vec<Field>>,
        at: &str,
    ) -> Result<Field, OpenapiError> {
        let ty = self.type_of(property, models, at)?;
        let description = property
            .get("description")
            .and_then(Json::as_str)
            .unwrap_or("")
            .trim()
            .to_owned();
        Ok(Field {
            name: name.to_owned(),
            rust_name: None,
            ty,
            required: false,
            max_length: None,
            format: None,
            description,
            example: property.get("example").and_then(example),
            values: Vec::new(),
            location: Location::BizContent,
            note: None,
            source: None,
        })
    }

    /// The spec type of a property: `String`, `Number`, `Boolean`, `File`, a model, or a list.
    fn type_of(
        &self,
        property: &'d Json,
        models: &mut BTreeMap<String, Vec<Field>>,
        at: &str,
    ) -> Result<String, OpenapiError> {
        if let Some(reference) = property.get("$ref").and_then(Json::as_str) {
            let name = reference
                .strip_prefix(SCHEMAS)
                .unwrap_or(reference)
                .to_owned();
            if !models.contains_key(&name) {
                // Placed before reading, so a model that holds itself is read once.
                models.insert(name.clone(), Vec::new());
                let schema = self.resolve(property, SCHEMAS, at)?;
                let fields = self.fields(schema, models, at)?;
                models.insert(name.clone(), fields);
            }
            return Ok(name);
        }
        let ty = property
            .get("type")
            .and_then(Json::as_str)
            .unwrap_or("string");
        Ok(match ty {
            "integer" => "Number".to_owned(),
            "boolean" => "Boolean".to_owned(),
            "array" => {
                let items = property.get("items").unwrap_or(&Json::Null);
                format!("{}[]", self.type_of(items, models, at)?)
            }
            "string" if property.get("format").and_then(Json::as_str) == Some("binary") => {
                "File".to_owned()
            }
            // Numbers with a fraction are text in Alipay's documents (amounts included); an
            // object without a model of its own is kept as its JSON text.
            _ => "String".to_owned(),
        })
    }

    /// The codes of the operation's `*ErrorResponseModel` (its `default` answer is `anyOf` of
    /// the common error type and it).
    fn errors(&self, op: &'d Json, at: &str) -> Result<Vec<String>, OpenapiError> {
        let Some(schema) = op.pointer("/responses/default/content/application~1json/schema") else {
            return Ok(Vec::new());
        };
        let schema = self.resolve(schema, SCHEMAS, at)?;
        let mut codes = Vec::new();
        let choices = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Json::as_array);
        for choice in choices.into_iter().flatten() {
            let common = choice
                .get("$ref")
                .and_then(Json::as_str)
                .is_some_and(|r| r.ends_with("/CommonErrorType"));
            if common {
                continue;
            }
            let model = self.resolve(choice, SCHEMAS, at)?;
            let listed = model
                .pointer("/properties/code/enum")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str);
            for code in listed {
                let code = code.trim();
                if !code.is_empty() && !codes.iter().any(|c| c == code) {
                    codes.push(code.to_owned());
                }
            }
        }
        Ok(codes)
    }
}

/// An object schema's properties, in order.
fn properties(schema: &Json) -> impl Iterator<Item = (&str, &Json)> {
    schema
        .get("properties")
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(Map::iter)
        .map(|(k, v)| (k.as_str(), v))
}

/// An example value as the spec writes it (text).
fn example(value: &Json) -> Option<String> {
    match value {
        Json::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `name` escaped for a JSON pointer.
fn pointer_escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}
