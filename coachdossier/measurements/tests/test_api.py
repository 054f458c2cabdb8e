"""Measurements API: the referred therapist records a session with RR intervals; bad input 422."""

import math

from coachdossier.clients import actions as client_actions
from coachdossier.test import BaseTestCase


def intervals(n=300):
    t, out = 0.0, []
    for _ in range(n):
        rr = 800 + 40 * math.sin(2 * math.pi * 0.25 * t)
        out.append(round(rr))
        t += rr / 1000
    return out


class MeasurementApiTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        client_actions.refer_to_therapist(actor=cls.coach, client=cls.own_client, therapist=cls.therapist,
                                          now=cls.now)

    def url(self):
        return f"/api/measurements/clients/{self.own_client.public_id}/sessions"

    def test_the_therapist_records_a_session_with_rr_intervals(self):
        self.login(self.therapist)
        response = self.client.post(self.url(), {"date": "2026-11-20", "protocol": "rest",
                                                 "values": {"breathing_rate_per_min": 9},
                                                 "rr_intervals_ms": intervals()}, content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertAlmostEqual(body["hrv"]["time"]["mean_hr_bpm"], 75, delta=1)
        self.assertIsNotNone(body["hrv"]["frequency"])
        self.login(self.coach)
        listed = self.client.get(self.url())
        self.assertEqual(listed.status_code, 200)
        self.assertEqual(len(listed.json()), 1)

    def test_out_of_range_intervals_are_refused_with_422(self):
        self.login(self.therapist)
        response = self.client.post(self.url(), {"date": "2026-11-20", "protocol": "rest",
                                                 "rr_intervals_ms": [100] * 50 + [800] * 50},
                                    content_type="application/json")
        self.assertEqual(response.status_code, 422)
        self.assertIn("rr_intervals_ms", response.json()["detail"])

    def test_the_coach_cannot_record_and_a_stranger_gets_404(self):
        self.login(self.coach)
        self.assertEqual(self.client.post(self.url(), {"date": "2026-11-20", "protocol": "rest"},
                                          content_type="application/json").status_code, 403)
        self.login(self.other_coach)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
