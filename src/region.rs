//! The region ids alicli knows, to warn about a likely typo. Alibaba Cloud opens regions faster
//! than any list is updated, so an id not in this list is kept as given, never refused.

/// Public, finance and government region ids (Alibaba Cloud's region lists, 2026).
const KNOWN: &[&str] = &[
    "cn-hangzhou",
    "cn-shanghai",
    "cn-nanjing",
    "cn-fuzhou",
    "cn-wuhan-lr",
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-chengdu",
    "cn-zhongwei",
    "cn-hongkong",
    "cn-hangzhou-finance",
    "cn-shanghai-finance-1",
    "cn-shenzhen-finance-1",
    "cn-beijing-finance-1",
    "cn-north-2-gov-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ap-southeast-8",
    "ap-south-1",
    "us-east-1",
    "us-west-1",
    "na-south-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "me-east-1",
    "me-central-1",
];

/// True when alicli knows `id` (case-insensitively: the API is).
pub fn is_known(id: &str) -> bool {
    KNOWN.iter().any(|known| known.eq_ignore_ascii_case(id))
}

/// Up to three known ids close to `id`, closest first: a few typed characters off, or the same
/// area with another number (`ap-southeast-4` → `ap-southeast-3`, `ap-southeast-5`, …).
pub fn close_to(id: &str) -> Vec<&'static str> {
    let id = id.to_ascii_lowercase();
    let allowed = (id.chars().count() / 4).clamp(2, 4);
    let mut scored: Vec<(usize, &'static str)> = KNOWN
        .iter()
        .map(|known| (distance(&id, known), *known))
        .filter(|(score, _)| *score <= allowed)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, known)| known).collect()
}

/// The warning for a region id alicli does not know, naming the known ones close to it; `None`
/// for a known one.
pub fn warning(id: &str) -> Option<String> {
    if is_known(id) {
        return None;
    }
    let close = close_to(id);
    let suggestion = match close.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!(
            "; close ones: {}",
            many.iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(format!(
        "warning: `{id}` is not a region alicli knows (it is kept as given, in case it is new){suggestion}"
    ))
}

/// Levenshtein distance, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_are_recognised_in_any_case() {
        assert!(is_known("cn-hangzhou"));
        assert!(is_known("AP-SOUTHEAST-1"));
        assert!(!is_known("cn-hangzou"));
    }

    #[test]
    fn typos_get_the_closest_known_regions() {
        assert_eq!(close_to("cn-hangzou"), ["cn-hangzhou"]);
        assert_eq!(close_to("cn-shangai"), ["cn-shanghai"]);
        assert_eq!(
            close_to("ap-southeast-4"),
            ["ap-southeast-1", "ap-southeast-2", "ap-southeast-3"]
        );
        assert_eq!(close_to("us-west-2"), ["us-west-1", "eu-west-2"]);
        assert!(close_to("mars-north-1").is_empty());
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "ab"), 2);
    }

    #[test]
    fn the_warning_names_the_close_ones() {
        assert_eq!(warning("cn-hangzhou"), None);
        assert_eq!(
            warning("cn-hangzou").unwrap(),
            "warning: `cn-hangzou` is not a region alicli knows (it is kept as given, in case it \
             is new); did you mean `cn-hangzhou`?"
        );
        assert!(
            warning("us-west-2")
                .unwrap()
                .ends_with("close ones: `us-west-1`, `eu-west-2`")
        );
        assert!(
            warning("mars-north-1")
                .unwrap()
                .ends_with("in case it is new)")
        );
    }
}
