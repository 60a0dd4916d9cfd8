"""The walkthrough of a new member's first weeks (tests/e2e/walkthrough.py) runs to its end with
no problem flagged, and its checks do flag what they look for."""

from tests.e2e.walkthrough import problems_in, problems_shown, shown, walk_through


def test_a_new_members_first_weeks_play_through_with_no_problem_seen():
    transcript: list[str] = []

    problems = walk_through(transcript.append)

    assert problems == [], "\n".join(transcript)
    assert transcript[-1] == "== 0 problem(s) =="
    assert sum(line.strip().startswith("ok:") for line in transcript) >= 40
    # The checks it relies on are not blind: each kind of fault is caught.
    bad = {
        "text": "Stay in touch with Evil <!channel> <@U0BOB>: R&amp;amp;D",
        "blocks": [
            {"type": "section", "text": {"type": "plain_text", "text": "R&amp;D"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Something went wrong"}},
        ],
    }
    assert len(problems_in(bad)) == 5
    assert problems_shown([shown("&amp;lt;https://x.example|link&amp;gt;", {})]) != []
