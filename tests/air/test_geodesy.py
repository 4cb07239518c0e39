"""The one distance and the one inverse-distance weighting (air/geodesy.py)."""

import numpy as np
import pytest

from gridgov.air import geodesy


def test_distance_works_for_scalars_arrays_and_a_matrix():
    km = 1 / 111.195  # one km of latitude
    assert float(geodesy.distance_km(30.0, 110.0, 30.0 + km, 110.0)) == pytest.approx(1.0, 1e-4)
    row = geodesy.distance_km(30.0, 110.0, np.array([30.0, 30.0 + 2 * km]), [110.0, 110.0])
    assert row.tolist() == pytest.approx([0.0, 2.0], abs=1e-3)
    a = np.array([[30.0, 110.0], [30.0 + km, 110.0]])
    b = np.array([[30.0, 110.0], [30.0 + 3 * km, 110.0], [30.0, 110.1]])
    m = geodesy.distance_km(a[:, :1], a[:, 1:2], b[:, 0], b[:, 1])
    assert m.shape == (2, 3)
    assert m[1].tolist()[:2] == pytest.approx([1.0, 2.0], rel=1e-3)
    # East–west shrinks with the cosine of the latitude.
    assert m[0, 2] == pytest.approx(0.1 * 111.195 * np.cos(np.radians(30.0)), rel=1e-4)


def test_idw_weights_keep_k_nearest_within_the_radius_and_snap_onto_a_station():
    d = np.array([[1.0, 2.0, 50.0], [0.0, 3.0, 4.0]])
    w = geodesy.idw_weights(d, k=2, radius=10.0, snap=1e-3)
    assert w[0].tolist() == [1.0, 0.25, 0.0]
    assert w[1].tolist() == [1.0, 0.0, 0.0]  # on the first station: its value alone
    assert geodesy.idw_weights(d[:0]).shape == (0, 3)
    assert geodesy.idw_weights(np.array([[20.0]]), radius=10.0).tolist() == [[0.0]]
