//! Where a method uses each of its models: the field paths that reach it.

use std::collections::{BTreeMap, HashSet, VecDeque};

use crate::spec::{Field, Spec, TypeRef};

/// For each model of a spec (by spec name), every field path whose type names it, in the
/// order met walking the request, then the response, then the notification, breadth first: the first is the
/// shortest way to it. A model's own fields get the path of the first field that reaches it
/// (`request.goods_detail.price`); each model is walked once per side, so recursive and
/// widely shared models cost no more than their size.
pub(super) fn model_uses(spec: &Spec) -> BTreeMap<&str, Vec<String>> {
    let mut uses: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    // (model, path) pairs already recorded: a path names one field, so it is met once per
    // side, but a model reached from both sides must not list a path twice.
    let mut recorded: HashSet<(&str, String)> = HashSet::new();
    let notification: &[Field] = spec
        .notification
        .as_ref()
        .map_or(&[], |n| n.fields.as_slice());
    for (root, fields) in [
        ("request", spec.request.as_slice()),
        ("response", spec.response.as_slice()),
        ("notification", notification),
    ] {
        let mut walked: HashSet<&str> = HashSet::new();
        let mut queue: VecDeque<(String, &[Field])> = VecDeque::from([(root.to_owned(), fields)]);
        while let Some((prefix, fields)) = queue.pop_front() {
            for f in fields {
                let Some((name, model)) = model_of(spec, f) else {
                    continue;
                };
                let path = format!("{prefix}.{}", f.name);
                if recorded.insert((name, path.clone())) {
                    uses.entry(name).or_default().push(path.clone());
                }
                if walked.insert(name) {
                    queue.push_back((path, model));
                }
            }
        }
    }
    uses
}

/// The model a field's type names (directly or as list element), if the spec defines it.
pub(super) fn model_of<'a>(spec: &'a Spec, f: &Field) -> Option<(&'a str, &'a [Field])> {
    let ty = TypeRef::parse(&f.ty).ok()?;
    let (name, fields) = spec.models.get_key_value(ty.model_name()?)?;
    Some((name.as_str(), fields.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load_str;

    #[test]
    fn first_path_is_the_shortest_and_every_use_is_listed_once() {
        let spec = load_str(
            "alipay.uses.order.create.yaml",
            "method: alipay.uses.order.create
title: t
request:
  - { name: order, type: Order }
  - { name: extra, type: \"Goods[]\" }
response:
  - { name: order, type: Order }
models:
  Order:
    - { name: goods, type: \"Goods[]\" }
  Goods:
    - { name: id, type: String }
",
        )
        .expect("a valid spec");
        let uses = model_uses(&spec);
        assert_eq!(uses["Order"], ["request.order", "response.order"]);
        assert_eq!(
            uses["Goods"],
            [
                "request.extra",
                "request.order.goods",
                "response.order.goods"
            ]
        );
    }
}
