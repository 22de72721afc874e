import warnings

import numpy as np
import polars as pl
import pytest

from lianzhang.chains import complexity

ecomplexity = pytest.importorskip("ecomplexity", reason="test-only dependency `ecomplexity`")


def table(seed: int, regions: int = 12, industries: int = 25) -> pl.DataFrame:
    """A nested-ish region × industry table: diverse regions make the ubiquitous things too."""
    rng = np.random.default_rng(seed)
    ability = np.sort(rng.uniform(0.1, 1.0, regions))
    hardness = rng.uniform(0.1, 1.0, industries)
    size = rng.lognormal(3, 1, (regions, industries))
    present = ability[:, None] + rng.normal(0, 0.15, (regions, industries)) > hardness[None, :]
    values = np.where(present, size, size * 0.05).round(2)
    return pl.DataFrame(
        {
            "region": np.repeat([f"r{i:02d}" for i in range(regions)], industries),
            "industry": np.tile([f"i{j:03d}" for j in range(industries)], regions),
            "value": values.ravel(),
        }
    )


def reference(frame: pl.DataFrame):
    import pandas as pd

    data = pd.DataFrame(frame.to_dict(as_series=False)).assign(year=2024)
    cols = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity.ecomplexity(data, cols, check_logsupermodularity=False, verbose=False)
    cols = ["region", "industry", "rca", "mcp", "diversity", "ubiquity"]
    cols += ["eci", "pci", "density", "coi", "cog"]
    return pl.DataFrame({c: out[c].tolist() for c in cols})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_ecomplexity(seed):
    frame = table(seed)
    ours = complexity.compute(frame).long()
    theirs = reference(frame)
    joined = ours.join(theirs, on=["region", "industry"], suffix="_ref")
    assert joined.height == ours.height == theirs.height
    for col in ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"):
        np.testing.assert_allclose(
            joined[col].to_numpy().astype(float),
            joined[f"{col}_ref"].to_numpy().astype(float),
            rtol=1e-7,
            atol=1e-9,
            err_msg=col,
        )


def test_proximity_matches_the_definition():
    mcp = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1]], dtype=float)
    phi = complexity.proximity(mcp)
    # products 0 and 1: co-occur in 2 regions; ubiquities 3 and 2 → 2 / max(3, 2)
    assert phi[0, 1] == phi[1, 0] == pytest.approx(2 / 3)
    assert np.allclose(np.diag(phi), 1)


def test_rca_is_the_location_quotient():
    values = np.array([[10.0, 0.0], [10.0, 20.0]])
    r = complexity.rca(values)
    # region 0: all of its output in industry 0, which is half of the world's 40
    assert r[0, 0] == pytest.approx((10 / 10) / (20 / 40))
    assert r[0, 1] == 0


def test_grow_next_lists_close_unspecialised_industries():
    result = complexity.compute(table(4))
    region = result.regions[6]
    ranked = complexity.grow_next(result, region, top=10)
    assert ranked.height > 0
    assert (ranked["rca"] < 1).all()
    densities = ranked["density"].to_list()
    assert densities == sorted(densities, reverse=True)


def test_degenerate_tables_are_refused():
    frame = pl.DataFrame({"region": ["a", "b"], "industry": ["x", "x"], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="RCA"):
        complexity.compute(frame)
