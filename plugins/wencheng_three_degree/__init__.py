"""文成 三度测评一试岗: Wencheng's three-degree assessment and trial post (a yixian plugin).

Reserve cadres (后备干部) of a village are rated on loyalty, satisfaction and competence by four
rater groups, approved at an evaluation meeting, put on public notice, sent on a trial post and,
when found fit, entered in the candidate pool of the village's election.
"""

KEY = "wencheng.three_degree"
