"""鹿城 四访四问 · 两票一度: Lucheng's four-visit campaign and two votes, one degree.

A yixian plugin. Town leaders and village-resident cadres visit door to door
(访民问需、访怨问由、访贤问计、访能问效); what they hear becomes findings closed in a loop;
coverage of the households is computed by the database; each village team faces two trust votes
and a satisfaction rating, weighted 3:5:2; and negative information on prospective candidates
goes into a negative list (负面清单).
"""

KEY = "lucheng.four_visits"
