//! Unit tests of the parameter-table reader.

use super::*;
use crate::import::page::lines;

fn table(text: &str) -> (Vec<Field>, BTreeMap<String, Vec<Field>>, Vec<usize>) {
    let lines = lines(text);
    let known = HashMap::new();
    let mut ctx = Context {
        known: &known,
        models: BTreeMap::new(),
        references: BTreeMap::new(),
    };
    let mut notes = Notes::default();
    let fields = parse_table(&lines, Table::Request, &mut ctx, &mut notes)
        .into_iter()
        .map(|l| l.field)
        .collect();
    let (warnings, _) = notes.finish();
    (
        fields,
        ctx.models,
        warnings.iter().map(|w| w.line).collect(),
    )
}

#[test]
fn tab_separated_with_missing_last_column() {
    let (fields, _, warnings) = table(
        "参数\t类型\t是否必填\t最大长度\t描述\t示例值\na\tString\t必填\t8\t说明 有空格\tx y\nb\tNumber\t否\t\t数量\n",
    );
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0].description, "说明 有空格");
    assert_eq!(fields[0].example.as_deref(), Some("x y"));
    assert_eq!(fields[0].max_length, Some(8));
    assert!(fields[0].required);
    assert_eq!(fields[1].ty, "Number");
    assert_eq!(fields[1].example, None);
    assert!(!fields[1].required);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn nested_by_marks_and_arrays() {
    let (fields, models, _) = table(
        "goods String[] 可选 - 列表\ngoods_detail GoodsDetail[] 必填 - 商品\n└ goods_id String 必填 32 编号 a1\n└ sub Sub 可选 - 子\n└└ x Number 可选 - 数 1\n",
    );
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[1].ty, "GoodsDetail[]");
    let detail = &models["GoodsDetail"];
    assert_eq!(detail.len(), 2);
    assert_eq!(detail[1].ty, "Sub");
    assert_eq!(models["Sub"][0].name, "x");
    assert_eq!(models["Sub"][0].example.as_deref(), Some("1"));
}

#[test]
fn nested_by_indentation_and_untyped_objects() {
    let (fields, models, warnings) = table(
        "ext Object 可选 - 扩展\n    k String 可选 8 键 v\n    n Number 可选 - 数 2\ntop String 必填 4 顶 t\n",
    );
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0].ty, "Ext");
    assert!(
        fields[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("model `Ext`"))
    );
    assert_eq!(models["Ext"].len(), 2);
    assert_eq!(warnings, vec![1]);
}

#[test]
fn orphans_and_too_deep_rows_are_noted() {
    let (fields, _, warnings) =
        table("└ a String 必填 4 甲 x\nb Sub 必填 - 乙\n└└└ c String 必填 4 丙 y\n");
    assert_eq!(fields.len(), 2);
    assert_eq!(warnings, vec![1, 3]);
}

#[test]
fn a_last_line_example_is_confirmed_or_noted() {
    let (fields, _, warnings) =
        table("t String 必选 8 类型。\nA:甲\nB:乙\nB\nu String 必选 8 说明\n第二行\nXYZ\n");
    assert_eq!(fields[0].example.as_deref(), Some("B"));
    assert_eq!(fields[0].description, "类型。\nA:甲\nB:乙");
    assert_eq!(fields[1].example.as_deref(), Some("XYZ"));
    assert_eq!(
        warnings,
        vec![5],
        "an unconfirmed last-line example is noted"
    );
}

#[test]
fn missing_required_and_conditional() {
    let (fields, _, warnings) = table("a String 32 说明 x\nb String 特殊可选 32 说明 y\n");
    assert!(!fields[0].required && !fields[1].required);
    assert_eq!(warnings, vec![1, 2]);
}
