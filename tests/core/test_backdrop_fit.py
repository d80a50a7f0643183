"""The fitted backdrop field: rendered row by row, it is the polynomial the fit found."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.backdrop_fit import BackdropFit, fit_backdrop
from packshot.core.synthetic import studio_shot

SIZES = [(37, 53), (53, 37), (1, 40), (40, 1), (1, 1), (2, 3)]


def monomial_field(fit: BackdropFit, height: int, width: int, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """The field as the fit defines it: its coefficients times the monomials u^i v^j, i + j <= degree,
    listed i-major, one (pixels x terms) matrix in float64 (the render's former formula)."""
    u = 2 * (np.ravel(xs) / max(width - 1, 1)) - 1
    v = 2 * (np.ravel(ys) / max(height - 1, 1)) - 1
    basis = np.stack([u**i * v**j for i in range(fit.degree + 1) for j in range(fit.degree + 1 - i)], axis=1)
    return (basis @ fit.coeffs).reshape(*np.shape(ys), 3)


def random_fit(degree: int, seed: int) -> BackdropFit:
    """A field near a backdrop's level with strong gradients: terms up to 0.3 on top of 0.7."""
    rng = np.random.default_rng(seed)
    coeffs = rng.uniform(-0.3, 0.3, ((degree + 1) * (degree + 2) // 2, 3))
    coeffs[0] += 0.7
    return BackdropFit(coeffs=coeffs, degree=degree, noise=0.01, inlier_fraction=1.0)


def fitted_shot(degree: int) -> BackdropFit:
    rgb, _ = studio_shot(120, 160, colour=(0.2, 0.3, 0.6), seed=degree)
    return fit_backdrop(rgb, degree=degree)


@pytest.mark.parametrize("degree", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("make", [random_fit, lambda degree, seed: fitted_shot(degree)], ids=["random", "fitted"])
def test_render_is_the_fitted_polynomial_on_every_pixel(degree, make):
    fit = make(degree, 7)
    for height, width in SIZES:
        yy, xx = np.mgrid[0:height, 0:width]
        field = fit.render(height, width)
        assert field.shape == (height, width, 3) and field.dtype == np.float32
        assert np.abs(field - monomial_field(fit, height, width, yy, xx)).max() < 1e-6, (height, width)


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_the_field_on_a_grid_of_rows_and_columns_is_the_same_polynomial(degree):
    fit = random_fit(degree, degree)
    rng = np.random.default_rng(degree)
    ys, xs = np.sort(rng.uniform(-20, 80, 9)), np.sort(rng.uniform(-20, 120, 4))  # off the frame too, as extend uses it
    field = fit.grid(60, 100, ys, xs)
    assert field.shape == (9, 4, 3) and field.dtype == np.float32
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    assert np.abs(field - monomial_field(fit, 60, 100, yy, xx)).max() < 1e-6
    iy, ix = np.sort(rng.integers(0, 60, 7)), np.sort(rng.integers(0, 100, 5))
    assert np.abs(fit.grid(60, 100, iy, ix) - fit.render(60, 100)[np.ix_(iy, ix)]).max() < 1e-6


def test_a_smooth_backdrop_is_recovered_exactly_away_from_its_border():
    """A sweep with light fall-off in both directions, sampled only on the border band:
    the rendered field matches it in the middle, where the product would stand."""
    h, w = 90, 140
    yy, xx = np.mgrid[0:h, 0:w]
    v, u = 2 * yy / (h - 1) - 1, 2 * xx / (w - 1) - 1
    sweep = 0.82 - 0.06 * v - 0.04 * u**2 + 0.02 * u * v
    rgb = np.stack([sweep, sweep * 0.97, sweep * 1.02], axis=2)
    fit = fit_backdrop(rgb)
    assert np.abs(fit.render(h, w) - rgb).max() < 1e-6
    assert np.abs(fit.mean_colour - rgb[h // 2, w // 2]).max() < 1e-2
